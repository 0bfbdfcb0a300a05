package models

import (
	"fmt"
	"sort"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/ssd"
)

// boxOutputs are the session outputs of a detector that does its own post-processing
// (catalog.DecodeBoxes): boxes [N,4] as ymin, xmin, ymax, xmax in 0..1, class ids [N],
// scores [N], and optionally how many rows are detections.
type boxOutputs struct {
	boxes, classes, scores, count int // session output indices; count -1 when absent
	n                             int
}

// newBoxOutputs finds the outputs a card names and checks that they fit the decoder. Errors
// name the card field.
func newBoxOutputs(names catalog.Outputs, outs []inference.TensorInfo) (*boxOutputs, error) {
	find := func(key, name string) (int, error) {
		for i, o := range outs {
			if o.Name == name {
				if o.DType != inference.Float32 {
					return 0, fmt.Errorf("%w: output.%s: %q is %v, not float32", ErrBadModel, key, name, o.DType)
				}
				return i, nil
			}
		}
		return 0, fmt.Errorf("%w: output.%s: the model has no output %q (its outputs: %v)", ErrBadModel, key, name, outs)
	}
	b := &boxOutputs{count: -1}
	var err error
	if b.boxes, err = find("boxes", names.Boxes); err != nil {
		return nil, err
	}
	if b.classes, err = find("classes", names.Classes); err != nil {
		return nil, err
	}
	if b.scores, err = find("scores", names.Scores); err != nil {
		return nil, err
	}
	if names.Count != "" {
		if b.count, err = find("count", names.Count); err != nil {
			return nil, err
		}
	}
	box := outs[b.boxes]
	b.n = outs[b.scores].Elements()
	if shape := box.Shape; b.n <= 0 || len(shape) < 2 || shape[len(shape)-1] != 4 || box.Elements() != 4*b.n {
		return nil, fmt.Errorf("%w: output.boxes: %q has shape %v, want [1, N, 4] for the N=%d scores", ErrBadModel, box.Name, box.Shape, b.n)
	}
	if e := outs[b.classes].Elements(); e != b.n {
		return nil, fmt.Errorf("%w: output.classes: %q has %d values, want one per score (%d)", ErrBadModel, outs[b.classes].Name, e, b.n)
	}
	if b.count >= 0 && outs[b.count].Elements() != 1 {
		return nil, fmt.Errorf("%w: output.count: %q has shape %v, want one value", ErrBadModel, outs[b.count].Name, outs[b.count].Shape)
	}
	return b, nil
}

// decode reads the detections scoring at least q.MinScore, best first, at most
// q.MaxDetections. Rows with a class outside 0..classes-1 are skipped.
func (b *boxOutputs) decode(out []inference.Tensor, classes int, q ssd.Query) []ssd.Detection {
	boxes, ids, scores := out[b.boxes].Data.([]float32), out[b.classes].Data.([]float32), out[b.scores].Data.([]float32)
	n := b.n
	if b.count >= 0 {
		n = min(n, max(0, int(out[b.count].Data.([]float32)[0])))
	}
	var dets []ssd.Detection
	for i := range n {
		c := int(ids[i])
		if !(scores[i] >= q.MinScore) || float32(c) != ids[i] || c < 0 || c >= classes {
			continue
		}
		r := boxes[4*i : 4*i+4]
		dets = append(dets, ssd.Detection{
			Box:   ssd.Box{YMin: clamp01(r[0]), XMin: clamp01(r[1]), YMax: clamp01(r[2]), XMax: clamp01(r[3])},
			Class: c, Score: scores[i],
		})
	}
	sort.SliceStable(dets, func(i, j int) bool { return dets[i].Score > dets[j].Score })
	return dets[:min(len(dets), q.MaxDetections)]
}

// clamp01 limits v to 0..1 (NaN to 0).
func clamp01(v float32) float32 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}
