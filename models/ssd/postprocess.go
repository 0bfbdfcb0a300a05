package ssd

import (
	"cmp"
	"fmt"
	"math"
	"sync"
)

// Detection is one detected object.
type Detection struct {
	// Box is where the object is, clipped to the image.
	Box Box
	// Class is the 0-based class index, background excluded: column Class+1 of the scores.
	Class int
	// Score is the class score of the box, 0..1.
	Score float32
}

// Query says which detections a caller wants from one frame.
type Query struct {
	// MinScore drops detections scoring below it. It replaces the model's own threshold.
	MinScore float32
	// MaxDetections is the most detections to return, at least 1. It replaces the model's own.
	MaxDetections int
}

func (q Query) validate() error {
	if q.MaxDetections < 1 {
		return fmt.Errorf("%w: max detections %d", ErrQuery, q.MaxDetections)
	}
	if q.MinScore != q.MinScore {
		return fmt.Errorf("%w: min score is NaN", ErrQuery)
	}
	return nil
}

// Postprocess turns one frame's SSD outputs into detections, best first.
//
// encodings holds N box encodings (ty, tx, th, tw), scores N rows of NumClasses+1 class
// scores (column 0 is background and is ignored), and anchors N anchors (ycenter, xcenter,
// h, w), all row-major. Each box is decoded against its anchor, then non-maximum suppression
// keeps the best of overlapping boxes:
//
//   - fast NMS (the default): each box competes with all others, ranked by its best class
//     score; a kept box is reported with its best MaxClassesPerDetection classes.
//   - regular NMS (Options.UseRegularNMS): boxes compete only within a class, at most
//     DetectionsPerClass per class, and the best across classes are reported.
//
// A box is dropped when its IoU with a better kept box exceeds IoUThreshold. Detections
// score at least q.MinScore, at most q.MaxDetections are returned, and equal scores keep the
// order of the anchors (then of the classes). The result is never nil.
func Postprocess(encodings, scores, anchors []float32, opts Options, q Query) ([]Detection, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := q.validate(); err != nil {
		return nil, err
	}
	in, err := newInput(encodings, scores, anchors, opts)
	if err != nil {
		return nil, err
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	s.reset()
	if opts.UseRegularNMS {
		err = s.regular(&in, q)
	} else {
		err = s.fast(&in, q)
	}
	if err != nil {
		return nil, err
	}
	list := s.cands[:min(len(s.cands), q.MaxDetections)]
	out := make([]Detection, len(list))
	for i, c := range list {
		out[i] = Detection{Box: c.box.clip(), Class: int(c.class), Score: c.score}
	}
	return out, nil
}

// input is one frame's tensors, checked against each other.
type input struct {
	encodings, scores, anchors []float32
	opts                       Options
	n                          int // anchors
	stride                     int // scores per anchor, background included
}

func newInput(encodings, scores, anchors []float32, opts Options) (input, error) {
	if len(anchors)%4 != 0 || len(anchors)/4 > math.MaxInt32 {
		return input{}, fmt.Errorf("%w: %d anchor values is not a multiple of 4 that fits 32 bits", ErrInput, len(anchors))
	}
	in := input{encodings: encodings, scores: scores, anchors: anchors, opts: opts,
		n: len(anchors) / 4, stride: opts.NumClasses + 1}
	if len(encodings) != len(anchors) {
		return input{}, fmt.Errorf("%w: %d box encoding values for %d anchors", ErrInput, len(encodings), in.n)
	}
	if in.n > 0 && (in.stride > math.MaxInt/in.n || len(scores) != in.n*in.stride) {
		return input{}, fmt.Errorf("%w: %d scores for %d anchors of %d classes and background",
			ErrInput, len(scores), in.n, opts.NumClasses)
	}
	if in.n == 0 && len(scores) != 0 {
		return input{}, fmt.Errorf("%w: %d scores without anchors", ErrInput, len(scores))
	}
	return in, nil
}

// classScores returns anchor a's scores without the background column.
func (in *input) classScores(a int) []float32 {
	return in.scores[a*in.stride+1 : (a+1)*in.stride]
}

// box decodes anchor a's box. The kernel refuses boxes whose corners are swapped, which
// only a malformed anchor or encoding can produce; so does this.
func (in *input) box(a int) (Box, error) {
	b := decode(in.encodings[4*a:4*a+4], in.anchors[4*a:4*a+4], &in.opts)
	if !(b.YMin <= b.YMax && b.XMin <= b.XMax) {
		return Box{}, fmt.Errorf("%w: anchor %d decodes to %+v", ErrInput, a, b)
	}
	return b, nil
}

// candidate is one (anchor, class) pair with its decoded box.
type candidate struct {
	box    Box
	score  float32
	anchor int32
	class  int32
}

// byScore orders candidates best first, then by anchor, then by class: a total order, so
// results do not depend on the sort algorithm.
func byScore(a, b candidate) int {
	switch {
	case a.score != b.score:
		if a.score > b.score {
			return -1
		}
		return 1
	case a.anchor != b.anchor:
		return cmp.Compare(a.anchor, b.anchor)
	}
	return cmp.Compare(a.class, b.class)
}

// scratch holds the buffers of one Postprocess call; they are reused across calls.
type scratch struct {
	cands []candidate
	extra []candidate // fast NMS: the classes reported for the kept boxes
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (s *scratch) reset() { s.cands, s.extra = s.cands[:0], s.extra[:0] }
