package ssd

import "math"

// Box is an axis-aligned box in coordinates normalised to the image: 0 is the top or left
// edge, 1 the bottom or right edge.
type Box struct {
	YMin, XMin, YMax, XMax float32
}

// IoU returns the intersection over union of two boxes: 0 when they do not overlap or when
// either has no area, 1 when they are equal.
func (b Box) IoU(o Box) float32 {
	areaB := (b.YMax - b.YMin) * (b.XMax - b.XMin)
	areaO := (o.YMax - o.YMin) * (o.XMax - o.XMin)
	if areaB <= 0 || areaO <= 0 {
		return 0
	}
	h := max(min(b.YMax, o.YMax)-max(b.YMin, o.YMin), 0)
	w := max(min(b.XMax, o.XMax)-max(b.XMin, o.XMin), 0)
	inter := h * w
	return inter / (areaB + areaO - inter)
}

// clip returns the part of the box inside the image.
func (b Box) clip() Box {
	c := func(v float32) float32 { return min(max(v, 0), 1) }
	return Box{c(b.YMin), c(b.XMin), c(b.YMax), c(b.XMax)}
}

// decode turns one box encoding (ty, tx, th, tw) into corners, relative to its anchor
// (ycenter, xcenter, h, w). The centre moves by the scaled offsets times the anchor's size,
// and the size is the anchor's times exp of the scaled log-size encodings. The arithmetic
// is done in float64, like the TFLite kernel.
func decode(enc, anchor []float32, o *Options) Box {
	ty, tx, th, tw := float64(enc[0]), float64(enc[1]), float64(enc[2]), float64(enc[3])
	ay, ax, ah, aw := float64(anchor[0]), float64(anchor[1]), float64(anchor[2]), float64(anchor[3])
	yc := float32(ty/float64(o.YScale)*ah + ay)
	xc := float32(tx/float64(o.XScale)*aw + ax)
	halfH := float32(0.5 * math.Exp(th/float64(o.HScale)) * ah)
	halfW := float32(0.5 * math.Exp(tw/float64(o.WScale)) * aw)
	return Box{YMin: yc - halfH, XMin: xc - halfW, YMax: yc + halfH, XMax: xc + halfW}
}
