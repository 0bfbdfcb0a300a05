package annotate

import (
	"image"
	"image/color"
	"math"
)

// fill paints r (clipped to the image) with col, blending when c is translucent.
func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	r = r.Intersect(c.img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.img.Pix[c.img.PixOffset(r.Min.X, y):c.img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			blend(row[i:i+4:i+4], col, 255)
		}
	}
}

// blend composites col at coverage cov (0..255) over the premultiplied pixel p.
func blend(p []uint8, col color.RGBA, cov uint32) {
	a := uint32(col.A) * cov / 255
	if a == 255 {
		p[0], p[1], p[2], p[3] = col.R, col.G, col.B, 255
		return
	}
	inv := 255 - a
	p[0] = uint8((uint32(col.R)*cov + uint32(p[0])*inv + 127) / 255)
	p[1] = uint8((uint32(col.G)*cov + uint32(p[1])*inv + 127) / 255)
	p[2] = uint8((uint32(col.B)*cov + uint32(p[2])*inv + 127) / 255)
	p[3] = uint8((a*255 + uint32(p[3])*inv + 127) / 255)
}

// outline strokes the rectangle r with bands of width t lying inside r.
func (c *canvas) outline(r image.Rectangle, t int, col color.RGBA) {
	// Literal rectangles, not image.Rect: a band that comes out inverted on a tiny box must
	// stay empty rather than be flipped outside r.
	c.fill(image.Rectangle{r.Min, image.Pt(r.Max.X, r.Min.Y+t)}, col)
	c.fill(image.Rectangle{image.Pt(r.Min.X, r.Max.Y-t), r.Max}, col)
	c.fill(image.Rectangle{image.Pt(r.Min.X, r.Min.Y+t), image.Pt(r.Min.X+t, r.Max.Y-t)}, col)
	c.fill(image.Rectangle{image.Pt(r.Max.X-t, r.Min.Y+t), image.Pt(r.Max.X, r.Max.Y-t)}, col)
}

// line draws an anti-aliased segment of the given width with round caps. It visits only
// the pixels near the segment, row by row, and allocates nothing.
func (c *canvas) line(x0, y0, x1, y1, width float64, col color.RGBA) {
	if !usable(x0, y0, x1, y1) || !(width > 0) {
		return
	}
	r := width / 2
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	minX := clampInt(math.Floor(min(x0, x1)-r-1), 0, c.w)
	maxX := clampInt(math.Ceil(max(x0, x1)+r+1), 0, c.w)
	minY := clampInt(math.Floor(min(y0, y1)-r-1), 0, c.h)
	maxY := clampInt(math.Ceil(max(y0, y1)+r+1), 0, c.h)
	// Unless the segment is horizontal, a row holds pixels within r+1 of it only this close
	// (horizontally) to where the row crosses the segment's line.
	sloped := math.Abs(dy) > 1e-9
	halfRow := (r + 1) * math.Sqrt(l2) / math.Abs(dy)
	inner := max(0, r-0.5) * max(0, r-0.5)
	for py := minY; py < maxY; py++ {
		yc := float64(py) + 0.5
		lo, hi := minX, maxX
		if sloped {
			xl := x0 + (yc-y0)*dx/dy
			lo = clampInt(math.Floor(xl-halfRow), lo, hi)
			hi = clampInt(math.Ceil(xl+halfRow), lo, hi)
		}
		for px := lo; px < hi; px++ {
			xc := float64(px) + 0.5
			t := 0.0
			if l2 > 0 {
				t = min(1, max(0, ((xc-x0)*dx+(yc-y0)*dy)/l2))
			}
			ex, ey := x0+t*dx-xc, y0+t*dy-yc
			d2 := ex*ex + ey*ey
			var cov uint32 = 255
			if d2 > inner {
				f := r + 0.5 - math.Sqrt(d2)
				if f <= 0 {
					continue
				}
				cov = uint32(min(1, f) * 255)
			}
			off := c.img.PixOffset(px, py)
			blend(c.img.Pix[off:off+4:off+4], col, cov)
		}
	}
}

// dot draws a filled disc with a dark rim so it stands out on any background.
func (c *canvas) dot(x, y, radius float64, col color.RGBA) {
	c.line(x, y, x, y, 2*radius+2, rim)
	c.line(x, y, x, y, 2*radius, col)
}

// clampInt converts v to an int within [lo, hi], clamping before the conversion so that
// large values cannot overflow.
func clampInt(v float64, lo, hi int) int {
	return int(min(float64(hi), max(float64(lo), v)))
}
