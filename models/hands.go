package models

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/palm"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
)

// Defaults and bounds of a hands query.
const (
	// DefaultMaxHands is how many hands Detect looks for when asked for 0, as MediaPipe
	// Hands' num_hands.
	DefaultMaxHands = 2
	// MaxHandsLimit bounds what a caller may ask for: each hand is one more landmark run.
	MaxHandsLimit = 10
	// DefaultHandScore is the palm score and hand presence a hand needs when the query asks
	// for 0, as MediaPipe Hands' detection and presence thresholds.
	DefaultHandScore = 0.5
)

// palmIoU is the palm graph's NMS min_suppression_threshold.
const palmIoU = 0.3

// numLandmarks is the number of hand landmarks: the wrist, then four per finger from the
// thumb to the pinky, each from the palm out to the tip.
const numLandmarks = 21

// handAnnotations groups the landmarks as TensorFlow.js handpose does.
var handAnnotations = map[string][]int{
	"thumb":        {1, 2, 3, 4},
	"indexFinger":  {5, 6, 7, 8},
	"middleFinger": {9, 10, 11, 12},
	"ringFinger":   {13, 14, 15, 16},
	"pinky":        {17, 18, 19, 20},
	"palmBase":     {0},
}

// HandQuery selects the hands a caller wants.
type HandQuery struct {
	// MaxHands is the most hands returned, best palm first; 0 means DefaultMaxHands.
	MaxHands int
	// MinScore, 0..1, is both the palm detection score and the hand presence
	// (handInViewConfidence) a hand needs. Zero means DefaultHandScore; use a tiny positive
	// value to see everything.
	MinScore float64
}

// resolve fills in q's defaults and checks its ranges.
func (q HandQuery) resolve() (HandQuery, error) {
	if q.MaxHands == 0 {
		q.MaxHands = DefaultMaxHands
	}
	if q.MinScore == 0 {
		q.MinScore = DefaultHandScore
	}
	if q.MaxHands < 1 || q.MaxHands > MaxHandsLimit {
		return q, fmt.Errorf("%w: max hands must be between 1 and %d, got %d", ErrBadOption, MaxHandsLimit, q.MaxHands)
	}
	if math.IsNaN(q.MinScore) || q.MinScore < 0 || q.MinScore > 1 {
		return q, fmt.Errorf("%w: min_score must be between 0 and 1, got %v", ErrBadOption, q.MinScore)
	}
	return q, nil
}

// HandDetector finds hands and their 21 landmarks with MediaPipe's two models: palm
// detection on the whole image, then the hand landmark model on a rotated square around
// each palm.
type HandDetector struct {
	name     string
	palm     *graph // outputs: boxes with keypoints [1,2016,18], score logits [1,2016,1]
	landmark *graph // outputs: landmarks [1,63], hand presence [1,1], ...
	anchors  []palm.Anchor
}

// NewHandDetector loads a hands model of the catalog (palm graph, then landmark graph)
// from the store.
func NewHandDetector(o LoadOptions, m catalog.Model) (*HandDetector, error) {
	if m.Task != catalog.TaskHands || len(m.Graphs) != 2 || m.Fit != preprocess.Letterbox {
		return nil, fmt.Errorf("%w: %s is a %s model, not a hand detector", ErrBadModel, m.Name, m.Task)
	}
	p, err := openGraph(o, m.Graphs[0], m)
	if err != nil {
		return nil, err
	}
	l, err := openGraph(o, m.Graphs[1], m)
	if err != nil {
		p.close()
		return nil, err
	}
	h := &HandDetector{name: m.Name, palm: p, landmark: l, anchors: palm.Anchors(palm.LiteAnchors)}
	if err := h.check(); err != nil {
		h.Close()
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return h, nil
}

// check verifies that the graphs' inputs and outputs are the ones the pipeline reads.
func (h *HandDetector) check() error {
	pi, li := h.palm.input, h.landmark.input
	lite := palm.LiteAnchors
	if pi.DType != inference.Float32 || h.palm.layout.Width != lite.InputWidth || h.palm.layout.Height != lite.InputHeight {
		return fmt.Errorf("%w: palm input %v, want float32 [1,%d,%d,3]", ErrBadModel, pi, lite.InputHeight, lite.InputWidth)
	}
	if li.DType != inference.Float32 || li.Shape[1] != palm.LandmarkInput || li.Shape[2] != palm.LandmarkInput {
		return fmt.Errorf("%w: landmark input %v, want float32 [1,%d,%d,3]", ErrBadModel, li, palm.LandmarkInput, palm.LandmarkInput)
	}
	n := len(h.anchors)
	po := h.palm.sess.Outputs()
	if len(po) != 2 || po[0].Elements() != n*(4+2*palm.NumKeypoints) || po[1].Elements() != n {
		return fmt.Errorf("%w: palm outputs %v do not fit %d anchors", ErrBadModel, po, n)
	}
	lo := h.landmark.sess.Outputs()
	if len(lo) < 2 || lo[0].Elements() != 3*numLandmarks || lo[1].Elements() != 1 {
		return fmt.Errorf("%w: landmark outputs %v, want %d landmarks and a presence score first", ErrBadModel, lo, numLandmarks)
	}
	return nil
}

// Name is the model's catalog name.
func (h *HandDetector) Name() string { return h.name }

// InputSize is how many pixels an image needs in each direction for full accuracy (see
// preprocess.DecodeAtLeast): four landmark inputs, so that a hand whose square spans a
// quarter of the image is still cropped at full resolution.
func (*HandDetector) InputSize() (w, h int) {
	return 4 * palm.LandmarkInput, 4 * palm.LandmarkInput
}

// Close releases both models.
func (h *HandDetector) Close() error {
	err := h.palm.close()
	if lerr := h.landmark.close(); err == nil {
		err = lerr
	}
	return err
}

// Detect finds up to q.MaxHands hands in img, best palm first. Positions are in pixels of
// img (of the original, for a *preprocess.Reduced); landmarks outside the image (a wrist past
// its edge) are kept where the model puts them.
func (h *HandDetector) Detect(ctx context.Context, img image.Image, q HandQuery) ([]results.Hand, Timings, error) {
	var t Timings
	q, err := q.resolve()
	if err != nil {
		return nil, t, err
	}
	palms, err := h.palms(ctx, img, q, &t)
	if err != nil {
		return nil, t, err
	}
	hands := make([]results.Hand, 0, len(palms))
	for _, d := range palms {
		hand, ok, err := h.hand(ctx, img, d, q.MinScore, &t)
		if err != nil {
			return nil, t, err
		}
		if ok {
			hands = append(hands, hand)
		}
	}
	return hands, t, nil
}

// palms runs palm detection and returns up to q.MaxHands palms, best first, in source
// pixels of img.
func (h *HandDetector) palms(ctx context.Context, img image.Image, q HandQuery, t *Timings) ([]palm.Detection, error) {
	out, tr, release, err := h.palm.run(ctx, img, t)
	if err != nil {
		return nil, err
	}
	sw := startStopwatch()
	l := h.palm.layout
	dets, err := palm.Decode(out[0].Data.([]float32), out[1].Data.([]float32), h.anchors, float64(l.Width), q.MinScore)
	release()
	if err != nil {
		return nil, err
	}
	dets = palm.WeightedNMS(dets, palmIoU)
	dets = dets[:min(len(dets), q.MaxHands)]
	for i := range dets {
		dets[i] = dets[i].Project(float64(l.Width), float64(l.Height), tr.ToSource)
	}
	t.Postprocess += sw.lap()
	return dets, nil
}

// hand runs the landmark model on the square around palm d; ok is false when the model's
// hand presence is below minScore.
func (h *HandDetector) hand(ctx context.Context, img image.Image, d palm.Detection, minScore float64, t *Timings) (hand results.Hand, ok bool, err error) {
	crop := palm.Crop{Rect: palm.HandRect(d), Size: palm.LandmarkInput}
	held, toHeld := heldPixels(img)
	out, release, err := h.landmark.runFilled(ctx, func(in []float32) error {
		return palm.Sample(held, toHeld(crop.Affine()), crop.Size, h.landmark.mean, h.landmark.std, in)
	}, t)
	if err != nil {
		return hand, false, err
	}
	defer release()
	sw := startStopwatch()
	defer func() { t.Postprocess += sw.lap() }()
	// The presence output ends in a LOGISTIC op: it is already a probability.
	presence := float64(out[1].Data.([]float32)[0])
	if presence < minScore {
		return hand, false, nil
	}
	return handResult(crop, out[0].Data.([]float32), presence), true, nil
}

// heldPixels returns the image whose pixels hold img and the map from source coordinates (those
// of the palm stage's Transform: img's, or its original's for a *preprocess.Reduced) to its
// pixels. A Reduced image's pixels cover its whole original at a smaller scale.
func heldPixels(img image.Image) (image.Image, func(palm.Affine) palm.Affine) {
	red, ok := img.(*preprocess.Reduced)
	if !ok {
		return img, func(a palm.Affine) palm.Affine { return a }
	}
	b := red.Image.Bounds()
	sx, sy := float64(b.Dx())/float64(red.Width), float64(b.Dy())/float64(red.Height)
	return red.Image, func(a palm.Affine) palm.Affine { return a.Scale(sx, sy) }
}

// handResult maps the landmark model's raw landmarks (x, y, z per landmark, in crop
// pixels) to img pixels, in the TensorFlow.js handpose shape. The bounding box is the
// landmarks' extent.
func handResult(c palm.Crop, raw []float32, presence float64) results.Hand {
	hand := results.Hand{
		HandInViewConfidence: presence,
		Landmarks:            make([][3]float64, numLandmarks),
		Annotations:          make(map[string][][3]float64, len(handAnnotations)),
	}
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i := range hand.Landmarks {
		p := c.Landmark(float64(raw[3*i]), float64(raw[3*i+1]), float64(raw[3*i+2]))
		for k := range p {
			p[k] = math.Round(p[k]*100) / 100
		}
		hand.Landmarks[i] = p
		lo = [2]float64{math.Min(lo[0], p[0]), math.Min(lo[1], p[1])}
		hi = [2]float64{math.Max(hi[0], p[0]), math.Max(hi[1], p[1])}
	}
	hand.BoundingBox = results.HandBox{TopLeft: lo, BottomRight: hi}
	for name, idx := range handAnnotations {
		chain := make([][3]float64, len(idx))
		for k, i := range idx {
			chain[k] = hand.Landmarks[i]
		}
		hand.Annotations[name] = chain
	}
	return hand
}
