// Package bilinear is the compiled fast path of package preprocess's resampling: it resamples
// opaque 8-bit RGBA pixels, as libjpeg-turbo decodes them, into an RGB tensor in C loops the
// compiler vectorises, several times faster than the Go kernel.
//
// It does no arithmetic of its own choosing: the caller gives, for every tensor column and row,
// the two source pixels it interpolates and the weight of the second (tf.image.resize's bilinear
// kernel, computed by package preprocess), and each value is a + (b-a)*t in float32, every
// operation rounded on its own as in Go, so the results are bit for bit those of the Go kernel.
//
// Without cgo the package does nothing: Uint8 and Float32 report false and the caller uses its
// Go kernel.
package bilinear

// Source is an image's 8-bit RGBA pixels, laid out as image.RGBA's: Width×Height pixels of 4
// bytes, rows Stride bytes apart.
type Source struct {
	Pix                   []byte
	Stride, Width, Height int
}

// Axis lists, for each tensor column (or row), the source pixels Lo and Hi it interpolates and
// the weight W of Hi. The three slices have the same length.
type Axis struct {
	Lo, Hi []int32
	W      []float32
}

// fits reports whether the arguments describe a valid resampling: every index inside the image,
// the image inside Pix, and n values of destination enough for the rows.
func fits(src Source, x, y Axis, n, dstStride int) bool {
	if src.Width <= 0 || src.Height <= 0 || src.Stride < 4*src.Width ||
		len(src.Pix) < (src.Height-1)*src.Stride+4*src.Width {
		return false
	}
	if !x.within(src.Width) || !y.within(src.Height) {
		return false
	}
	rows, cols := len(y.W), 3*len(x.W)
	return dstStride >= cols && n >= (rows-1)*dstStride+cols
}

// within reports whether a is non-empty, its slices agree in length and its indices lie in
// 0..size-1.
func (a Axis) within(size int) bool {
	if len(a.W) == 0 || len(a.Lo) != len(a.W) || len(a.Hi) != len(a.W) {
		return false
	}
	for i := range a.W {
		if a.Lo[i] < 0 || int(a.Lo[i]) >= size || a.Hi[i] < 0 || int(a.Hi[i]) >= size {
			return false
		}
	}
	return true
}
