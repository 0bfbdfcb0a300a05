//go:build cgo

package bilinear

/*
#cgo CFLAGS: -O3
#include "bilinear.h"
*/
import "C"

import "unsafe"

// Uint8 resamples src into dst, tensor rows of len(x.W) RGB pixels dstStride values apart,
// each value rounded to the nearest integer (halves up). It reports whether it did the work:
// false when a sampled pixel is not opaque or the arguments do not fit together, and dst is
// then partly written.
func Uint8(src Source, x, y Axis, dst []uint8, dstStride int) bool {
	if !fits(src, x, y, len(dst), dstStride) {
		return false
	}
	return resize(src, x, y, (*C.uint8_t)(unsafe.Pointer(&dst[0])), nil, dstStride, 0, 1)
}

// Float32 resamples src into dst like Uint8, writing (v-mean)/std with the resampled value v
// unrounded.
func Float32(src Source, x, y Axis, mean, std float32, dst []float32, dstStride int) bool {
	if !fits(src, x, y, len(dst), dstStride) {
		return false
	}
	return resize(src, x, y, nil, (*C.float)(unsafe.Pointer(&dst[0])), dstStride, mean, std)
}

func resize(src Source, x, y Axis, dst8 *C.uint8_t, dst32 *C.float, dstStride int, mean, std float32) bool {
	return C.bilinear_resize(
		(*C.uint8_t)(unsafe.Pointer(&src.Pix[0])), C.ptrdiff_t(src.Stride),
		(*C.int32_t)(unsafe.Pointer(&x.Lo[0])), (*C.int32_t)(unsafe.Pointer(&x.Hi[0])), (*C.float)(unsafe.Pointer(&x.W[0])), C.int(len(x.W)),
		(*C.int32_t)(unsafe.Pointer(&y.Lo[0])), (*C.int32_t)(unsafe.Pointer(&y.Hi[0])), (*C.float)(unsafe.Pointer(&y.W[0])), C.int(len(y.W)),
		dst8, dst32, C.ptrdiff_t(dstStride), C.float(mean), C.float(std),
	) == 1
}
