package palm

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Sample fills dst, an NHWC RGB tensor of size×size pixels, from img: tensor pixel (i, j) is
// the colour at toImage(i+0.5, j+0.5), in pixels of img relative to its Bounds().Min (such as
// Crop.Affine, scaled when img holds the source at another scale). The colour is interpolated
// bilinearly between pixel centres, the border pixels repeated outside the image
// (ImageToTensorCalculator's default BORDER_REPLICATE), and written as (value-mean)/std with
// value in 0–255. Alpha is ignored: a pixel's straight colour is used.
func Sample(img image.Image, toImage Affine, size int, mean, std float32, dst []float32) error {
	if !toImage.finite() {
		return fmt.Errorf("%w: crop map %+v is not finite", ErrBadInput, toImage)
	}
	if size < 1 || len(dst) != size*size*3 {
		return fmt.Errorf("%w: tensor of %d values for a %dx%d crop", ErrBadInput, len(dst), size, size)
	}
	if img == nil || img.Bounds().Empty() {
		return fmt.Errorf("%w: empty image", ErrBadInput)
	}
	if !(std != 0) || math.IsInf(float64(std), 0) || math.IsNaN(float64(mean)) || math.IsInf(float64(mean), 0) {
		return fmt.Errorf("%w: mean %v and std %v must be finite and std non-zero", ErrBadInput, mean, std)
	}
	sampleAny(img, loop{toImage: toImage, size: size, mean: mean, std: std, dst: dst})
	return nil
}

// sampleAny runs the loop made for img's pixel type: the pixel slices of the common types
// are read directly, every other type through At.
func sampleAny(img image.Image, l loop) {
	switch m := img.(type) {
	case *image.YCbCr:
		if m.Rect.Min.X >= 0 && m.Rect.Min.Y >= 0 {
			sample(newYCbCrPixels(m), m.Rect, l)
			return
		}
	case *image.RGBA:
		sample(rgbaPixels{m}, m.Rect, l)
		return
	case *image.NRGBA:
		sample(nrgbaPixels{m}, m.Rect, l)
		return
	case *image.Gray:
		sample(grayPixels{m}, m.Rect, l)
		return
	}
	sample(anyPixels{img}, img.Bounds(), l)
}

// loop is what Sample's loop writes where.
type loop struct {
	toImage   Affine
	size      int
	mean, std float32
	dst       []float32
}

// sample is Sample's loop, made once per pixel type so that reading a pixel is a direct call.
func sample[P pixels](px P, bounds image.Rectangle, l loop) {
	w, h := bounds.Dx(), bounds.Dy()
	k := 0
	for j := range l.size {
		for i := range l.size {
			x, y := l.toImage.Apply(float64(i)+0.5, float64(j)+0.5)
			r, g, b := bilinear(px, x-0.5, y-0.5, w, h)
			l.dst[k], l.dst[k+1], l.dst[k+2] = (r-l.mean)/l.std, (g-l.mean)/l.std, (b-l.mean)/l.std
			k += 3
		}
	}
}

// bilinear interpolates the colour at (fx, fy), in pixel-centre coordinates (pixel (i, j)'s
// centre is (i, j)), of a w×h image, repeating its border outside.
func bilinear[P pixels](px P, fx, fy float64, w, h int) (r, g, b float32) {
	fx = max(0, min(fx, float64(w-1)))
	fy = max(0, min(fy, float64(h-1)))
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	tx, ty := float32(fx-float64(x0)), float32(fy-float64(y0))
	r00, g00, b00 := px.rgb(x0, y0)
	r10, g10, b10 := px.rgb(x1, y0)
	r01, g01, b01 := px.rgb(x0, y1)
	r11, g11, b11 := px.rgb(x1, y1)
	r = lerp(lerp(r00, r10, tx), lerp(r01, r11, tx), ty)
	g = lerp(lerp(g00, g10, tx), lerp(g01, g11, tx), ty)
	b = lerp(lerp(b00, b10, tx), lerp(b01, b11, tx), ty)
	return r, g, b
}

func lerp(a, b, t float32) float32 { return a + (b-a)*t }

// pixels reads the straight RGB colour, 0–255, of the pixel at (x, y) relative to the
// image's Bounds().Min.
type pixels interface {
	rgb(x, y int) (r, g, b float32)
}

// ycbcrPixels reads a YCbCr image whose bounds start at non-negative coordinates, where
// the chroma subsampling divisions of image.YCbCr.COffset are shifts.
type ycbcrPixels struct {
	m              *image.YCbCr
	hShift, vShift uint // log2 of the horizontal and vertical chroma subsampling
	minX, minY     int  // m.Rect.Min
	cMinX, cMinY   int  // the chroma sample of m.Rect.Min
}

func newYCbCrPixels(m *image.YCbCr) ycbcrPixels {
	p := ycbcrPixels{m: m, minX: m.Rect.Min.X, minY: m.Rect.Min.Y}
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		p.hShift = 1
	case image.YCbCrSubsampleRatio420:
		p.hShift, p.vShift = 1, 1
	case image.YCbCrSubsampleRatio440:
		p.vShift = 1
	case image.YCbCrSubsampleRatio411:
		p.hShift = 2
	case image.YCbCrSubsampleRatio410:
		p.hShift, p.vShift = 2, 1
	}
	p.cMinX, p.cMinY = p.minX>>p.hShift, p.minY>>p.vShift
	return p
}

func (p ycbcrPixels) rgb(x, y int) (r, g, b float32) {
	ci := ((y+p.minY)>>p.vShift-p.cMinY)*p.m.CStride + (x+p.minX)>>p.hShift - p.cMinX
	r8, g8, b8 := color.YCbCrToRGB(p.m.Y[y*p.m.YStride+x], p.m.Cb[ci], p.m.Cr[ci])
	return float32(r8), float32(g8), float32(b8)
}

// rgbaPixels un-premultiplies the colour of partly transparent pixels.
type rgbaPixels struct{ m *image.RGBA }

func (p rgbaPixels) rgb(x, y int) (r, g, b float32) {
	s := p.m.Pix[y*p.m.Stride+4*x:][:4]
	switch a := s[3]; a {
	case 0xff:
		return float32(s[0]), float32(s[1]), float32(s[2])
	case 0:
		return 0, 0, 0
	default:
		k := 255 / float32(a)
		return float32(s[0]) * k, float32(s[1]) * k, float32(s[2]) * k
	}
}

type nrgbaPixels struct{ m *image.NRGBA }

func (p nrgbaPixels) rgb(x, y int) (r, g, b float32) {
	s := p.m.Pix[y*p.m.Stride+4*x:][:3]
	return float32(s[0]), float32(s[1]), float32(s[2])
}

type grayPixels struct{ m *image.Gray }

func (p grayPixels) rgb(x, y int) (r, g, b float32) {
	v := float32(p.m.Pix[y*p.m.Stride+x])
	return v, v, v
}

// anyPixels serves every other image type through At.
type anyPixels struct{ m image.Image }

func (p anyPixels) rgb(x, y int) (r, g, b float32) {
	o := p.m.Bounds().Min
	c := color.NRGBA64Model.Convert(p.m.At(x+o.X, y+o.Y)).(color.NRGBA64)
	return float32(c.R) / 257, float32(c.G) / 257, float32(c.B) / 257
}
