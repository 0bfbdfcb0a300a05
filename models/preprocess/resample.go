package preprocess

import (
	"image"
	"math"
	"sync"

	"github.com/visiond/visiond/models/preprocess/bilinear"
)

// axis holds, for every tensor column (or row), the two source pixels it interpolates and the
// weight of the second, computed as tf.image.resize's bilinear kernel does with half-pixel
// centres: in = (i+0.5)*scale - 0.5, lo = max(floor(in), 0), hi = min(ceil(in), n-1),
// weight = in - floor(in), all in float32.
type axis struct {
	lo, hi []int32
	w      []float32
}

func (a *axis) compute(in, out int) {
	a.lo, a.hi, a.w = grow(a.lo, out), grow(a.hi, out), grow(a.w, out)
	scale := float32(in) / float32(out)
	for i := range out {
		f := float32(float32(float32(i)+0.5)*scale) - 0.5
		fl := float32(math.Floor(float64(f)))
		a.lo[i] = int32(min(max(int(fl), 0), in-1))
		a.hi[i] = int32(min(max(int(math.Ceil(float64(f))), 0), in-1))
		a.w[i] = f - fl
	}
}

func (a *axis) public() bilinear.Axis { return bilinear.Axis{Lo: a.lo, Hi: a.hi, W: a.w} }

// resampler resamples one image into one tensor. It keeps the two source rows last
// interpolated horizontally (tensor rows walk down the source, so each is made once) and the
// per-column tables of the pixel type's fast path. Resamplers are pooled, so a request in
// steady state allocates nothing.
type resampler struct {
	img  image.Image
	x, y axis
	rowY [2]int
	row  [2][]float32
	cx   axis            // *image.YCbCr: chroma columns of x
	cs   int             // *image.YCbCr: vertical chroma subsampling
	pal  [256][3]float32 // *image.Paletted: straight colours
}

var resamplers = sync.Pool{New: func() any { return new(resampler) }}

// prepare sets the resampler up to resample img into a w×h rectangle.
func (r *resampler) prepare(img image.Image, w, h int) {
	if m, ok := img.(*image.NYCbCrA); ok {
		img = &m.YCbCr // alpha is ignored
	}
	b := img.Bounds()
	r.img = img
	r.x.compute(b.Dx(), w)
	r.y.compute(b.Dy(), h)
	r.rowY = [2]int{-1, -1}
	r.row[0], r.row[1] = grow(r.row[0], 3*w), grow(r.row[1], 3*w)
	switch m := img.(type) {
	case *image.YCbCr:
		hs, vs := subsampling(m.SubsampleRatio)
		r.cs = vs
		r.cx.lo, r.cx.hi = grow(r.cx.lo, w), grow(r.cx.hi, w)
		for i := range w {
			r.cx.lo[i] = int32((int(r.x.lo[i])+b.Min.X)/hs - b.Min.X/hs)
			r.cx.hi[i] = int32((int(r.x.hi[i])+b.Min.X)/hs - b.Min.X/hs)
		}
	case *image.Paletted:
		r.pal = [256][3]float32{}
		for i, c := range m.Palette[:min(len(m.Palette), 256)] {
			cr, cg, cb := straightColor(c)
			r.pal[i] = [3]float32{cr, cg, cb}
		}
	}
}

// compiled returns the image and axes for package bilinear's fast path, which serves 8-bit
// RGBA images (libjpeg-turbo's output); ok is false for other pixel types.
func (r *resampler) compiled() (src bilinear.Source, x, y bilinear.Axis, ok bool) {
	m, ok := r.img.(*image.RGBA)
	if !ok {
		return src, x, y, false
	}
	src = bilinear.Source{Pix: m.Pix, Stride: m.Stride, Width: m.Rect.Dx(), Height: m.Rect.Dy()}
	return src, r.x.public(), r.y.public(), true
}

// release returns the resampler to the pool without holding on to the image.
func (r *resampler) release() {
	r.img = nil
	resamplers.Put(r)
}

// rows returns the source rows that tensor row ty interpolates, each already interpolated
// horizontally, and the weight of the second.
func (r *resampler) rows(ty int) (top, bottom []float32, w float32) {
	lo, hi := int(r.y.lo[ty]), int(r.y.hi[ty])
	top = r.fetch(lo, -1)
	return top, r.fetch(hi, lo), r.y.w[ty]
}

// fetch returns source row sy interpolated horizontally, making it in the slot that holds
// neither row keep nor the newer row.
func (r *resampler) fetch(sy, keep int) []float32 {
	for i, y := range r.rowY {
		if y == sy {
			return r.row[i]
		}
	}
	slot := 0
	if r.rowY[0] == keep || (r.rowY[1] != keep && r.rowY[0] > r.rowY[1]) {
		slot = 1
	}
	r.rowY[slot] = sy
	r.fill(sy, r.row[slot])
	return r.row[slot]
}

// fill interpolates source row sy (relative to the image's Bounds().Min) at the tensor columns,
// writing RGB triples into out.
func (r *resampler) fill(sy int, out []float32) {
	switch m := r.img.(type) {
	case *image.YCbCr:
		fillYCbCr(m, sy, r.cs, &r.x, &r.cx, out)
	case *image.RGBA:
		fillRGBA(m.Pix[sy*m.Stride:], &r.x, out)
	case *image.NRGBA:
		fillNRGBA(m.Pix[sy*m.Stride:], &r.x, out)
	case *image.NRGBA64:
		fillNRGBA64(m.Pix[sy*m.Stride:], &r.x, out)
	case *image.Gray:
		fillGray(m.Pix[sy*m.Stride:], &r.x, out)
	case *image.Paletted:
		fillPaletted(m.Pix[sy*m.Stride:], &r.pal, &r.x, out)
	default:
		fillGeneric(r.img, sy, &r.x, out)
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
