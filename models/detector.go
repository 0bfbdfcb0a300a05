package models

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/models/ssd"
)

// Defaults of a detection query, as in TensorFlow.js coco-ssd.
const (
	DefaultMaxDetections = 20
	DefaultMinScore      = 0.5
	// MaxDetectionsLimit bounds what a caller may ask for.
	MaxDetectionsLimit = 100
)

const detectionPostProcess = "TFLite_Detection_PostProcess"

// DetectQuery selects the detections a caller wants.
type DetectQuery struct {
	// MinScore drops weaker detections, 0..1. Zero means DefaultMinScore; use a tiny positive
	// value to see everything.
	MinScore float64
	// Max is the most detections returned; 0 means DefaultMaxDetections.
	Max int
	// Classes, when not empty, keeps only these labels (applied before the Max cut).
	Classes []string
}

// Detector finds objects with boxes: SSD with TFLite's detection post-processing done in Go,
// or a graph that outputs its boxes, classes and scores itself.
type Detector struct {
	name     string
	g        *graph
	labels   []string // labels[class]; "" for a class the labels do not name
	classIdx map[string][]int
	opts     ssd.Options
	anchors  []float32
	boxesOut int         // session output holding the box encodings
	classOut int         // session output holding the class scores
	boxes    *boxOutputs // set for catalog.DecodeBoxes, which replaces the SSD fields
}

// NewDetector loads a detection model from the store.
func NewDetector(o LoadOptions, m catalog.Model) (*Detector, error) {
	if m.Task != catalog.TaskDetect || len(m.Graphs) != 1 {
		return nil, fmt.Errorf("%w: %s is a %s model, not a detector", ErrBadModel, m.Name, m.Task)
	}
	g, err := openGraph(o, m.Graphs[0], m)
	if err != nil {
		return nil, err
	}
	d := &Detector{name: m.Name, g: g, classIdx: map[string][]int{}}
	classes := -1 // boxes_classes_scores: as many as the labels name
	if m.Decoder == catalog.DecodeBoxes {
		d.boxes, err = newBoxOutputs(m.Outputs, g.sess.Outputs())
	} else {
		err = d.wireSSD()
		classes = d.opts.NumClasses
	}
	if err == nil {
		d.labels, err = classLabels(o, m, classes)
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	for c, l := range d.labels {
		if l != "" {
			d.classIdx[l] = append(d.classIdx[l], c)
		}
	}
	return d, nil
}

// wireSSD wires the post-processing op's inputs to the session's outputs.
func (d *Detector) wireSSD() error {
	var op *convert.CustomOp
	for i := range d.g.custom {
		if d.g.custom[i].Code == detectionPostProcess {
			op = &d.g.custom[i]
		}
	}
	if op == nil || len(op.Inputs) != 3 || op.Inputs[2].Const == nil {
		return fmt.Errorf("%w: output.decoder: no %s operator with constant anchors in the graph", ErrBadModel, detectionPostProcess)
	}
	opts, err := ssd.ParseOptions(op.Options)
	if err != nil {
		return err
	}
	d.opts, d.anchors, d.boxesOut, d.classOut = opts, op.Inputs[2].Const, -1, -1
	outs := d.g.sess.Outputs()
	for i, out := range outs {
		switch out.Name {
		case op.Inputs[0].Output:
			d.boxesOut = i
		case op.Inputs[1].Output:
			d.classOut = i
		}
	}
	n := len(d.anchors) / 4
	if d.boxesOut < 0 || d.classOut < 0 ||
		outs[d.boxesOut].Elements() != 4*n || outs[d.classOut].Elements() != n*(opts.NumClasses+1) {
		return fmt.Errorf("%w: output.decoder: graph outputs %v do not fit %d anchors and %d classes", ErrBadModel, outs, n, opts.NumClasses)
	}
	return nil
}

// Name is the model's catalog name.
func (d *Detector) Name() string { return d.name }

// InputSize is the model's input size: an image needs no more pixels than this for full
// accuracy (see preprocess.DecodeAtLeast).
func (d *Detector) InputSize() (w, h int) { return d.g.layout.Width, d.g.layout.Height }

// Labels are the class names, in the model's order.
func (d *Detector) Labels() []string { return d.labels }

// Close releases the model.
func (d *Detector) Close() error { return d.g.close() }

// resolvedQuery is a validated query: what to ask the post-processing for, the classes to keep (nil
// keeps all) and how many detections to return.
type resolvedQuery struct {
	ssd   ssd.Query
	keep  []bool
	limit int
}

// resolve fills in q's defaults and checks its ranges. Boxes keep the class they score best in; a class filter then drops boxes
// of other classes before the count is cut, so post-processing is asked for the detection
// limit rather than q.Max.
func (d *Detector) resolve(q DetectQuery) (resolvedQuery, error) {
	if q.MinScore == 0 {
		q.MinScore = DefaultMinScore
	}
	if q.Max == 0 {
		q.Max = DefaultMaxDetections
	}
	if math.IsNaN(q.MinScore) || q.MinScore < 0 || q.MinScore > 1 {
		return resolvedQuery{}, fmt.Errorf("%w: min_score must be between 0 and 1, got %v", ErrBadOption, q.MinScore)
	}
	if q.Max < 1 || q.Max > MaxDetectionsLimit {
		return resolvedQuery{}, fmt.Errorf("%w: max must be between 1 and %d, got %d", ErrBadOption, MaxDetectionsLimit, q.Max)
	}
	p := resolvedQuery{ssd: ssd.Query{MinScore: float32(q.MinScore), MaxDetections: q.Max}, limit: q.Max}
	if len(q.Classes) == 0 {
		return p, nil
	}
	p.keep = make([]bool, len(d.labels))
	for _, name := range q.Classes {
		idx, ok := d.classIdx[strings.TrimSpace(name)]
		if !ok || name == placeholder {
			return resolvedQuery{}, fmt.Errorf("%w: unknown class %q", ErrBadOption, name)
		}
		for _, c := range idx {
			p.keep[c] = true
		}
	}
	p.ssd.MaxDetections = MaxDetectionsLimit
	return p, nil
}

// Detect finds the objects in img; boxes are in pixels of img (of the original, for a
// *preprocess.Reduced), best score first.
func (d *Detector) Detect(ctx context.Context, img image.Image, q DetectQuery) ([]results.Detection, Timings, error) {
	var t Timings
	p, err := d.resolve(q)
	if err != nil {
		return nil, t, err
	}
	out, tr, release, err := d.g.run(ctx, img, &t)
	if err != nil {
		return nil, t, err
	}
	defer release()
	sw := startStopwatch()
	var dets []ssd.Detection
	if d.boxes != nil {
		dets = d.boxes.decode(out, len(d.labels), p.ssd)
	} else if dets, err = ssd.Postprocess(out[d.boxesOut].Data.([]float32), out[d.classOut].Data.([]float32), d.anchors, d.opts, p.ssd); err != nil {
		return nil, t, err
	}
	res := make([]results.Detection, 0, min(len(dets), p.limit))
	w, h := preprocess.SourceSize(img)
	for _, det := range dets {
		if len(res) == p.limit {
			break
		}
		if p.keep != nil && !p.keep[det.Class] || d.labels[det.Class] == "" {
			continue
		}
		res = append(res, results.Detection{
			BBox:  pixelBox(det.Box, d.g.layout, tr, w, h),
			Class: d.labels[det.Class],
			Score: float64(det.Score),
		})
	}
	t.Postprocess = sw.lap()
	return res, t, nil
}

// pixelBox maps a normalised box of the model's input to [x, y, width, height] in pixels of
// the w×h source image, clipped to it.
func pixelBox(box ssd.Box, l preprocess.Layout, tr preprocess.Transform, w, h int) [4]float64 {
	x0, y0 := tr.ToSource(float64(box.XMin)*float64(l.Width), float64(box.YMin)*float64(l.Height))
	x1, y1 := tr.ToSource(float64(box.XMax)*float64(l.Width), float64(box.YMax)*float64(l.Height))
	clip := func(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
	x0, x1 = clip(x0, 0, float64(w)), clip(x1, 0, float64(w))
	y0, y1 = clip(y0, 0, float64(h)), clip(y1, 0, float64(h))
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	return [4]float64{round(x0), round(y0), round(x1 - x0), round(y1 - y0)}
}
