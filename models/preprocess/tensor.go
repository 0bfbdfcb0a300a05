package preprocess

import (
	"fmt"
	"image"
	"math"

	"github.com/visiond/visiond/models/preprocess/bilinear"
)

// ToUint8 resamples img into dst, an NHWC RGB tensor of l.Width×l.Height pixels
// (len(dst) must be l.Width*l.Height*3), with tf.image.resize bilinear semantics; each value is
// the resampled pixel rounded to the nearest integer (halves up). It returns the Transform from
// tensor to image coordinates.
func ToUint8(img image.Image, l Layout, dst []uint8) (Transform, error) {
	r, content, t, err := begin(img, l, len(dst))
	if err != nil {
		return Transform{}, err
	}
	defer r.release()
	if l.Fit == Letterbox {
		clear(dst)
	}
	if src, x, y, ok := r.compiled(); ok && bilinear.Uint8(src, x, y, dst[origin(l, content):], 3*l.Width) {
		return t, nil
	}
	for ty := range content.Dy() {
		top, bot, w := r.rows(ty)
		i := origin(l, content) + ty*3*l.Width
		row := dst[i : i+len(top)]
		bot = bot[:len(row)]
		for k, v := range top[:len(row)] {
			row[k] = quantize(lerp(v, bot[k], w))
		}
	}
	return t, nil
}

// ToFloat32 resamples img into dst like ToUint8, writing (pixel-mean)/std with the resampled
// pixel unrounded, in the 0–255 scale. Letterbox padding is a black pixel, so it holds
// (0-mean)/std.
func ToFloat32(img image.Image, l Layout, mean, std float32, dst []float32) (Transform, error) {
	if std == 0 || !finite(std) || !finite(mean) {
		return Transform{}, fmt.Errorf("%w: mean %v and std %v must be finite and std non-zero", ErrBadLayout, mean, std)
	}
	r, content, t, err := begin(img, l, len(dst))
	if err != nil {
		return Transform{}, err
	}
	defer r.release()
	if l.Fit == Letterbox {
		pad := (0 - mean) / std
		for i := range dst {
			dst[i] = pad
		}
	}
	if src, x, y, ok := r.compiled(); ok && bilinear.Float32(src, x, y, mean, std, dst[origin(l, content):], 3*l.Width) {
		return t, nil
	}
	for ty := range content.Dy() {
		top, bot, w := r.rows(ty)
		i := origin(l, content) + ty*3*l.Width
		row := dst[i : i+len(top)]
		bot = bot[:len(row)]
		for k, v := range top[:len(row)] {
			row[k] = (lerp(v, bot[k], w) - mean) / std
		}
	}
	return t, nil
}

// begin validates the arguments and prepares a resampler from the pool for the content
// rectangle of the layout.
func begin(img image.Image, l Layout, n int) (*resampler, image.Rectangle, Transform, error) {
	if err := l.validate(n); err != nil {
		return nil, image.Rectangle{}, Transform{}, err
	}
	if img == nil || img.Bounds().Empty() {
		return nil, image.Rectangle{}, Transform{}, fmt.Errorf("%w: empty image", ErrBadImage)
	}
	sw, sh := SourceSize(img)
	if red, ok := img.(*Reduced); ok {
		img = red.Image
	}
	b := img.Bounds()
	content := l.place(b.Dx(), b.Dy())
	r := resamplers.Get().(*resampler)
	r.prepare(img, content.Dx(), content.Dy())
	return r, content, transformFor(content, sw, sh), nil
}

// origin is the index in an l tensor of the first value of the content rectangle.
func origin(l Layout, content image.Rectangle) int {
	return (content.Min.Y*l.Width + content.Min.X) * 3
}

// lerp is the linear interpolation TensorFlow uses, a + (b-a)*t; the explicit conversion keeps
// the multiply and add from being fused, so results are the same on every architecture.
func lerp(a, b, t float32) float32 {
	return a + float32((b-a)*t)
}

func quantize(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

func finite(v float32) bool {
	return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
}
