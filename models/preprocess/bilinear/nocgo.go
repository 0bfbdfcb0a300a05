//go:build !cgo

package bilinear

// Uint8 does nothing without cgo: it reports false.
func Uint8(src Source, x, y Axis, dst []uint8, dstStride int) bool { return false }

// Float32 does nothing without cgo: it reports false.
func Float32(src Source, x, y Axis, mean, std float32, dst []float32, dstStride int) bool {
	return false
}
