package preprocess

import (
	"image"
	"image/color"
)

// The fill functions interpolate one source row at the tensor columns of x, reading the
// pixel slices directly and converting only the pixels sampled. Output is RGB in 0–255.

func fillYCbCr(m *image.YCbCr, sy, vs int, x, cx *axis, out []float32) {
	c := ((sy+m.Rect.Min.Y)/vs - m.Rect.Min.Y/vs) * m.CStride
	yrow, cb, cr := m.Y[sy*m.YStride:], m.Cb[c:], m.Cr[c:]
	n := len(x.w)
	lo, hi, clo, chi, out := x.lo[:n], x.hi[:n], cx.lo[:n], cx.hi[:n], out[:3*n]
	for i, w := range x.w {
		r0, g0, b0 := ycc(yrow[lo[i]], cb[clo[i]], cr[clo[i]])
		r1, g1, b1 := ycc(yrow[hi[i]], cb[chi[i]], cr[chi[i]])
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = lerp(r0, r1, w), lerp(g0, g1, w), lerp(b0, b1, w)
	}
}

// fillRGBA reads premultiplied pixels and un-premultiplies them.
func fillRGBA(row []uint8, x *axis, out []float32) {
	for i, w := range x.w {
		r0, g0, b0 := unpremultiply(row[4*x.lo[i]:][:4])
		r1, g1, b1 := unpremultiply(row[4*x.hi[i]:][:4])
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = lerp(r0, r1, w), lerp(g0, g1, w), lerp(b0, b1, w)
	}
}

// fillNRGBA reads straight colours and ignores alpha.
func fillNRGBA(row []uint8, x *axis, out []float32) {
	for i, w := range x.w {
		p, q := row[4*x.lo[i]:][:3], row[4*x.hi[i]:][:3]
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0] = lerp(float32(p[0]), float32(q[0]), w)
		o[1] = lerp(float32(p[1]), float32(q[1]), w)
		o[2] = lerp(float32(p[2]), float32(q[2]), w)
	}
}

// fillNRGBA64 reads 16-bit big-endian straight colours and ignores alpha.
func fillNRGBA64(row []uint8, x *axis, out []float32) {
	for i, w := range x.w {
		p, q := row[8*x.lo[i]:][:6], row[8*x.hi[i]:][:6]
		o := out[3*i : 3*i+3 : 3*i+3]
		for k := range 3 {
			a := float32(uint16(p[2*k])<<8|uint16(p[2*k+1])) / 257
			b := float32(uint16(q[2*k])<<8|uint16(q[2*k+1])) / 257
			o[k] = lerp(a, b, w)
		}
	}
}

func fillGray(row []uint8, x *axis, out []float32) {
	for i, w := range x.w {
		v := lerp(float32(row[x.lo[i]]), float32(row[x.hi[i]]), w)
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = v, v, v
	}
}

func fillPaletted(row []uint8, pal *[256][3]float32, x *axis, out []float32) {
	for i, w := range x.w {
		p, q := &pal[row[x.lo[i]]], &pal[row[x.hi[i]]]
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = lerp(p[0], q[0], w), lerp(p[1], q[1], w), lerp(p[2], q[2], w)
	}
}

// fillGeneric serves every other pixel type (CMYK, 16-bit grey and RGBA, ...) through
// RGBA64At when the type has it, else through At.
func fillGeneric(img image.Image, sy int, x *axis, out []float32) {
	b := img.Bounds()
	y := sy + b.Min.Y
	m, _ := img.(image.RGBA64Image)
	for i, w := range x.w {
		r0, g0, b0 := straightAt(img, m, int(x.lo[i])+b.Min.X, y)
		r1, g1, b1 := straightAt(img, m, int(x.hi[i])+b.Min.X, y)
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = lerp(r0, r1, w), lerp(g0, g1, w), lerp(b0, b1, w)
	}
}

// straightAt reads pixel (x, y) of img, through m when it is not nil.
func straightAt(img image.Image, m image.RGBA64Image, x, y int) (r, g, b float32) {
	if m != nil {
		return straight(m.RGBA64At(x, y))
	}
	return straightColor(img.At(x, y))
}

// straightColor is a colour's straight RGB in 0–255, exact for non-premultiplied colours.
func straightColor(c color.Color) (r, g, b float32) {
	switch c := c.(type) {
	case nil:
		return 0, 0, 0
	case color.NRGBA:
		return float32(c.R), float32(c.G), float32(c.B)
	case color.NRGBA64:
		return float32(c.R) / 257, float32(c.G) / 257, float32(c.B) / 257
	}
	cr, cg, cb, ca := c.RGBA()
	return straight(color.RGBA64{R: uint16(cr), G: uint16(cg), B: uint16(cb), A: uint16(ca)})
}

// unpremultiply turns a premultiplied 8-bit RGBA pixel into its straight colour.
func unpremultiply(p []uint8) (r, g, b float32) {
	switch a := p[3]; a {
	case 0xff:
		return float32(p[0]), float32(p[1]), float32(p[2])
	case 0:
		return 0, 0, 0
	default:
		k := float32(a)
		return float32(p[0]) * 255 / k, float32(p[1]) * 255 / k, float32(p[2]) * 255 / k
	}
}

// straight turns a premultiplied 16-bit colour into its straight colour in 0–255.
func straight(c color.RGBA64) (r, g, b float32) {
	switch c.A {
	case 0xffff:
		return float32(c.R) / 257, float32(c.G) / 257, float32(c.B) / 257
	case 0:
		return 0, 0, 0
	default:
		k := float32(c.A)
		return float32(c.R) * 255 / k, float32(c.G) * 255 / k, float32(c.B) * 255 / k
	}
}

// ycc converts a JFIF Y'CbCr pixel to RGB exactly as color.YCbCrToRGB does (the 8-bit result
// of the libjpeg formulae), in integer arithmetic.
func ycc(y, cb, cr uint8) (r, g, b float32) {
	yy := int32(y) * 0x10101
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	return clamp16(yy + 91881*cr1), clamp16(yy - 22554*cb1 - 46802*cr1), clamp16(yy + 116130*cb1)
}

// clamp16 takes a 16.16 fixed-point value to an integer in 0–255.
func clamp16(v int32) float32 {
	return float32(min(max(v>>16, 0), 255))
}

// subsampling returns the horizontal and vertical chroma subsampling factors of a ratio.
func subsampling(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}
