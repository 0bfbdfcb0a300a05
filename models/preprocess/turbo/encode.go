//go:build cgo

package turbo

/*
#include <turbojpeg.h>

// compress encodes packed RGBA pixels into dst, which holds *size bytes (at least tjBufSize's
// bound); *size becomes the JPEG's length. The library never reallocates dst.
static int compress(tjhandle h, const unsigned char *src, int w, int h_, unsigned char *dst,
		unsigned long *size, int quality) {
	unsigned char *buf = dst;
	return tjCompress2(h, src, w, 4 * w, h_, TJPF_RGBA, &buf, size, TJSAMP_420, quality,
		TJFLAG_NOREALLOC);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"unsafe"
)

// ErrEncode means libjpeg-turbo could not encode an image.
var ErrEncode = errors.New("JPEG encode failed")

// MaxEncodePixels bounds the images Encode accepts, so that its working buffer stays sane:
// the decoders' default limit of 40 megapixels.
const MaxEncodePixels = 40_000_000

// outputs holds encode buffers (*[]byte) of tjBufSize's bound, for reuse by the next Encode.
var outputs sync.Pool

// Encode appends the JPEG encoding of img to dst, at quality 1..100 with 4:2:0 chroma
// subsampling (what image/jpeg writes for colour images), and returns the extended slice.
// The alpha channel is ignored. Encode is safe for concurrent use.
func Encode(dst []byte, img *image.RGBA, quality int) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	switch {
	case quality < 1 || quality > 100:
		return nil, fmt.Errorf("%w: quality %d is not 1..100", ErrEncode, quality)
	case w < 1 || h < 1 || int64(w)*int64(h) > MaxEncodePixels:
		return nil, fmt.Errorf("%w: %dx%d image (1 to %d pixels)", ErrEncode, w, h, MaxEncodePixels)
	}
	pix := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y):]
	if img.Stride != 4*w {
		pix = packed(img) // a sub-image: its rows are not adjacent
	}
	c := C.tjInitCompress()
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrEncode, C.GoString(C.tjGetErrorStr2(nil)))
	}
	defer C.tjDestroy(c)
	bound := int(C.tjBufSize(C.int(w), C.int(h), C.TJSAMP_420))
	buf := outputBuffer(bound)
	defer outputs.Put(&buf)
	size := C.ulong(bound)
	if C.compress(c, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h),
		(*C.uchar)(unsafe.Pointer(&buf[0])), &size, C.int(quality)) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrEncode, C.GoString(C.tjGetErrorStr2(c)))
	}
	return append(dst, buf[:size]...), nil
}

// outputBuffer returns a pooled buffer of at least n bytes, or a new one.
func outputBuffer(n int) []byte {
	if p, ok := outputs.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

// packed copies the rows of img next to each other.
func packed(img *image.RGBA) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]byte, 0, 4*w*h)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		i := img.PixOffset(img.Rect.Min.X, y)
		out = append(out, img.Pix[i:i+4*w]...)
	}
	return out
}
