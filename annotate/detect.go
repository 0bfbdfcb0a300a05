package annotate

import (
	"image"
	"math"
	"strconv"

	"github.com/visiond/visiond/models/results"
)

// Detections returns a copy of img with every detection drawn as a box outline in its class
// colour, captioned "class 0.91" on a filled label. Captions sit above their box when there
// is room, else inside its top, and are kept inside the image.
func Detections(img image.Image, dets []results.Detection, o Options) *image.RGBA {
	c := newCanvas(img, o)
	if c.w == 0 || c.h == 0 || len(dets) == 0 {
		return c.img
	}
	t := max(1, int(math.Round(c.lineWidth)))
	boxes := make([]image.Rectangle, len(dets))
	for i, d := range dets {
		if boxes[i] = c.box(d.BBox, t); !boxes[i].Empty() {
			c.outline(boxes[i], t, classColor(d.Class))
		}
	}
	// Captions go on top of every outline, so a neighbour's box never hides one.
	w := newWriter(c.fontSize)
	defer w.close()
	for i, d := range dets {
		if boxes[i].Empty() {
			continue
		}
		c.boxCaption(w, d, boxes[i])
	}
	return c.img
}

// box returns the outer rectangle of the outline of bbox ([x, y, width, height]) drawn t
// pixels wide, centred on the box edges; it is empty when nothing of it is visible.
func (c *canvas) box(bbox [4]float64, t int) image.Rectangle {
	x, y, bw, bh := bbox[0], bbox[1], bbox[2], bbox[3]
	if !usable(x, y, bw, bh) {
		return image.Rectangle{}
	}
	half := float64(t) / 2
	// Edges far outside are pulled in just past the image border: still invisible, and
	// safe to convert to int.
	edge := func(v float64, limit int) int {
		return clampInt(math.Round(v), -t-1, limit+t+1)
	}
	r := image.Rect(edge(x-half, c.w), edge(y-half, c.h), edge(x+bw+half, c.w), edge(y+bh+half, c.h))
	if !r.Overlaps(c.img.Rect) {
		return image.Rectangle{}
	}
	return r
}

// boxCaption labels the box whose outline's outer rectangle is r.
func (c *canvas) boxCaption(w *writer, d results.Detection, r image.Rectangle) {
	label := d.Class
	if label != "" {
		label += " "
	}
	label += strconv.FormatFloat(d.Score, 'f', 2, 64)
	text, textW := w.fit(label, c.w-2*w.pad)
	if text == "" {
		return // the image is too narrow for any caption
	}
	capW, capH := textW+2*w.pad, w.height+2*w.pad
	x := max(0, min(r.Min.X, c.w-capW))
	y := r.Min.Y - capH
	if y < 0 {
		y = max(r.Min.Y, 0)
	}
	y = max(0, min(y, c.h-capH))
	c.caption(w, text, x, y, textW, classColor(d.Class))
}
