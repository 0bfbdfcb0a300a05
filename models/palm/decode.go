package palm

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadInput means a tensor or image given to this package does not have the size, or the
// values, the call needs.
var ErrBadInput = errors.New("palm: bad input")

// NumKeypoints is the number of keypoints of a palm detection: the wrist centre, the index,
// middle, ring and pinky finger MCP joints, and the thumb CMC and MCP joints, in that order.
const NumKeypoints = 7

// The keypoints that orient the hand rectangle.
const (
	// Wrist is the index of the wrist centre among a detection's keypoints.
	Wrist = 0
	// MiddleMCP is the index of the middle finger's MCP joint among a detection's keypoints.
	MiddleMCP = 2
)

// valuesPerBox is what the palm model predicts per anchor: box centre x, y, width, height,
// then x, y of each keypoint.
const valuesPerBox = 4 + 2*NumKeypoints

// scoreClip bounds a score logit before the sigmoid (score_clipping_thresh).
const scoreClip = 100

// Point is a 2-D position.
type Point struct {
	X, Y float64
}

// Box is an axis-aligned box by its corners.
type Box struct {
	XMin, YMin, XMax, YMax float64
}

// Detection is one palm: its box, its keypoints and its score (a probability).
type Detection struct {
	Box       Box
	Keypoints [NumKeypoints]Point
	Score     float64
}

// Decode turns the palm model's outputs into the detections scoring at least minScore, in
// anchor order, as TensorsToDetectionsCalculator does with the palm graph's options. raw
// holds per anchor the box centre x, y, width and height and the keypoints' x, y, each in
// pixels of a scale-pixel input (192 for the lite model) and, for positions, relative to the
// anchor centre. scores holds one logit per anchor, clipped to ±100 and put through a
// sigmoid. Boxes with a negative or NaN size are dropped. Positions come out normalised to
// the input tensor.
func Decode(raw, scores []float32, anchors []Anchor, scale, minScore float64) ([]Detection, error) {
	n := len(anchors)
	if len(raw) != n*valuesPerBox || len(scores) != n {
		return nil, fmt.Errorf("%w: %d box values and %d scores for %d anchors, want %d and %d",
			ErrBadInput, len(raw), len(scores), n, n*valuesPerBox, n)
	}
	if !(scale > 0) {
		return nil, fmt.Errorf("%w: scale %v", ErrBadInput, scale)
	}
	var dets []Detection
	for i, a := range anchors {
		score := sigmoid(math.Max(-scoreClip, math.Min(scoreClip, float64(scores[i]))))
		if score < minScore {
			continue
		}
		if d, ok := decodeBox(raw[i*valuesPerBox:(i+1)*valuesPerBox], a, scale); ok {
			d.Score = score
			dets = append(dets, d)
		}
	}
	return dets, nil
}

// decodeBox decodes the values of one anchor; ok is false for a box of negative or NaN size.
func decodeBox(v []float32, a Anchor, scale float64) (d Detection, ok bool) {
	cx := float64(v[0])/scale + a.X
	cy := float64(v[1])/scale + a.Y
	w := float64(v[2]) / scale
	h := float64(v[3]) / scale
	if !(w >= 0 && h >= 0) {
		return Detection{}, false
	}
	d.Box = Box{XMin: cx - w/2, YMin: cy - h/2, XMax: cx + w/2, YMax: cy + h/2}
	for k := range d.Keypoints {
		d.Keypoints[k] = Point{X: float64(v[4+2*k])/scale + a.X, Y: float64(v[5+2*k])/scale + a.Y}
	}
	return d, true
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Project maps d from coordinates normalised to a w×h-pixel input tensor into source
// pixels: each position is scaled to tensor pixels and passed through toSource, such as
// the ToSource method of the preprocess.Transform the tensor was made with, which also
// removes the letterbox padding (DetectionLetterboxRemovalCalculator). toSource must keep
// axes apart (scale and shift each axis on its own), as resizing and letterboxing do.
func (d Detection) Project(w, h float64, toSource func(x, y float64) (float64, float64)) Detection {
	out := d
	out.Box.XMin, out.Box.YMin = toSource(d.Box.XMin*w, d.Box.YMin*h)
	out.Box.XMax, out.Box.YMax = toSource(d.Box.XMax*w, d.Box.YMax*h)
	for k, p := range d.Keypoints {
		out.Keypoints[k].X, out.Keypoints[k].Y = toSource(p.X*w, p.Y*h)
	}
	return out
}

// IoU is the intersection over union of two boxes, 0 when they do not overlap or both are
// empty.
func (b Box) IoU(o Box) float64 {
	iw := math.Min(b.XMax, o.XMax) - math.Max(b.XMin, o.XMin)
	ih := math.Min(b.YMax, o.YMax) - math.Max(b.YMin, o.YMin)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	union := b.area() + o.area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

func (b Box) area() float64 { return (b.XMax - b.XMin) * (b.YMax - b.YMin) }
