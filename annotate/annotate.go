// Package annotate draws results onto images (boxes with captions, pose skeletons, hand
// landmarks, a caption block of classes) and encodes the annotated image as JPEG or PNG.
//
// Every drawing function returns a new image and leaves its input unchanged, unless
// Options.InPlace asks it to draw on the input itself. Sizes scale with
// the shorter image side, so annotations stay legible from 320×240 to 3840×2160. Coordinates
// that are NaN, infinite or absurdly large are skipped; shapes partly outside the image are
// clipped.
package annotate

import (
	"image"
	"image/draw"
	"math"
)

// Options tunes how results are drawn. The zero value picks sizes from the image.
type Options struct {
	// LineWidth is the stroke width in pixels; 0 scales it to the image (≥ 2 px).
	LineWidth float64
	// FontSize is the caption text size in pixels; 0 scales it to the image (≥ 11 px).
	FontSize float64
	// MinKeypointScore hides pose keypoints scoring below it; 0 means 0.3, and a negative
	// value draws every keypoint.
	MinKeypointScore float64
	// InPlace draws on the input image itself, and returns it, when it is an *image.RGBA
	// whose bounds start at (0, 0): no copy of its pixels is made. A caller that owns the
	// image and needs it no longer saves the copy's time and memory. Other images are copied.
	InPlace bool
}

const defaultMinKeypointScore = 0.3

// style is Options resolved against one image.
type style struct {
	lineWidth, fontSize, minScore float64
}

// resolve picks the sizes and threshold for a w×h image.
func (o Options) resolve(w, h int) style {
	short := float64(min(w, h))
	s := style{
		lineWidth: max(2, short/300),
		fontSize:  max(11, short/40),
		minScore:  o.MinKeypointScore,
	}
	if o.LineWidth > 0 {
		s.lineWidth = o.LineWidth
	}
	if o.FontSize > 0 {
		s.fontSize = o.FontSize
	}
	// Keep user sizes sane: no stroke wider than the image, no glyph taller than it.
	s.lineWidth = min(s.lineWidth, max(2, short))
	s.fontSize = min(s.fontSize, max(11, short))
	switch {
	case s.minScore == 0:
		s.minScore = defaultMinKeypointScore
	case s.minScore < 0:
		s.minScore = math.Inf(-1)
	}
	return s
}

// canvas is a copy of the input image, with bounds starting at (0, 0) so that result
// coordinates (pixels from the top-left corner) index it directly.
type canvas struct {
	img  *image.RGBA
	w, h int
	style
}

// newCanvas copies src onto a new canvas, or takes src itself when o.InPlace allows; a nil
// src gives an empty one.
func newCanvas(src image.Image, o Options) *canvas {
	if src == nil {
		return &canvas{img: image.NewRGBA(image.Rectangle{})}
	}
	b := src.Bounds()
	img, own := src.(*image.RGBA)
	if !o.InPlace || !own || b.Min != (image.Point{}) {
		img = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(img, img.Rect, src, b.Min, draw.Src)
	}
	return &canvas{img: img, w: b.Dx(), h: b.Dy(), style: o.resolve(b.Dx(), b.Dy())}
}

// maxCoord bounds the coordinates worth drawing; anything farther out is treated like NaN.
const maxCoord = 1e7

// usable reports whether every value is a finite coordinate within ±maxCoord.
func usable(vs ...float64) bool {
	for _, v := range vs {
		if !(v >= -maxCoord && v <= maxCoord) {
			return false
		}
	}
	return true
}
