package ssd

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

// anchor is one anchor of a hand-made frame: its encodings are zero, so it decodes to box
// exactly (the boxes below use binary fractions), and scores holds its non-zero class scores.
type anchor struct {
	box    Box
	scores map[int]float32
}

// frame lays out anchors as the three tensors Postprocess takes.
func frame(numClasses int, anchors []anchor) (enc, scores, anch []float32) {
	enc = make([]float32, 4*len(anchors))
	scores = make([]float32, (numClasses+1)*len(anchors))
	for i, a := range anchors {
		b := a.box
		anch = append(anch, (b.YMin+b.YMax)/2, (b.XMin+b.XMax)/2, b.YMax-b.YMin, b.XMax-b.XMin)
		for c, s := range a.scores {
			scores[i*(numClasses+1)+1+c] = s
		}
	}
	return enc, scores, anch
}

// cell returns the i-th of eight side-by-side boxes 1/8 wide and 1/8 high: they only touch.
func cell(i int) Box {
	return Box{YMin: 0, XMin: float32(i) / 8, YMax: 0.125, XMax: float32(i+1) / 8}
}

var (
	unit = Box{0, 0, 1, 1}
	// left is the left half of unit: IoU(unit, left) = 0.5 / (1 + 0.5 - 0.5) = 0.5.
	left = Box{0, 0, 1, 0.5}
)

func testOptions() Options {
	return Options{NumClasses: 4, MaxDetections: 10, MaxClassesPerDetection: 1, DetectionsPerClass: 100,
		IoUThreshold: 0.5, YScale: 10, XScale: 10, HScale: 5, WScale: 5}
}

func TestPostprocess(t *testing.T) {
	q := Query{MinScore: 0.5, MaxDetections: 10}
	tests := []struct {
		name    string
		opts    func(*Options)
		query   func(*Query)
		anchors []anchor
		want    []Detection
	}{
		{
			name:    "all below the min score",
			anchors: []anchor{{cell(0), map[int]float32{0: 0.4999}}, {cell(1), map[int]float32{3: 0.1}}},
			want:    []Detection{},
		},
		{
			name:    "score equal to the min score is kept",
			anchors: []anchor{{cell(0), map[int]float32{2: 0.5}}},
			want:    []Detection{{cell(0), 2, 0.5}},
		},
		{
			name:    "IoU 0.5 at threshold 0.5 keeps both",
			anchors: []anchor{{unit, map[int]float32{0: 0.9}}, {left, map[int]float32{0: 0.8}}},
			want:    []Detection{{unit, 0, 0.9}, {left, 0, 0.8}},
		},
		{
			name:    "IoU 0.5 above threshold 0.4 drops the lower score",
			opts:    func(o *Options) { o.IoUThreshold = 0.4 },
			anchors: []anchor{{unit, map[int]float32{0: 0.9}}, {left, map[int]float32{0: 0.8}}},
			want:    []Detection{{unit, 0, 0.9}},
		},
		{
			name:    "IoU 0.5 below threshold 0.6 keeps both",
			opts:    func(o *Options) { o.IoUThreshold = 0.6 },
			anchors: []anchor{{left, map[int]float32{0: 0.8}}, {unit, map[int]float32{0: 0.9}}},
			want:    []Detection{{unit, 0, 0.9}, {left, 0, 0.8}},
		},
		{
			name: "equal scores keep anchor order",
			anchors: []anchor{
				{cell(5), map[int]float32{1: 0.7}},
				{cell(0), map[int]float32{3: 0.7}},
				{cell(2), map[int]float32{0: 0.7}},
			},
			want: []Detection{{cell(5), 1, 0.7}, {cell(0), 3, 0.7}, {cell(2), 0, 0.7}},
		},
		{
			// Same box, same score: the lower anchor index wins, the other is suppressed.
			name:    "equal scores on one box keep the lower anchor",
			anchors: []anchor{{cell(0), map[int]float32{2: 0.7}}, {cell(0), map[int]float32{1: 0.7}}},
			want:    []Detection{{cell(0), 2, 0.7}},
		},
		{
			// Zero-height boxes have IoU 0 with everything, even with themselves.
			name: "zero-area boxes never suppress",
			anchors: []anchor{
				{Box{0.5, 0, 0.5, 1}, map[int]float32{0: 0.9}},
				{Box{0.5, 0, 0.5, 1}, map[int]float32{0: 0.8}},
			},
			want: []Detection{{Box{0.5, 0, 0.5, 1}, 0, 0.9}, {Box{0.5, 0, 0.5, 1}, 0, 0.8}},
		},
		{
			name:  "more candidates than max are cut",
			query: func(q *Query) { q.MaxDetections = 3 },
			anchors: []anchor{
				{cell(0), map[int]float32{0: 0.6}},
				{cell(1), map[int]float32{0: 0.9}},
				{cell(2), map[int]float32{1: 0.5}},
				{cell(3), map[int]float32{2: 0.8}},
				{cell(4), map[int]float32{3: 0.7}},
			},
			want: []Detection{{cell(1), 0, 0.9}, {cell(3), 2, 0.8}, {cell(4), 3, 0.7}},
		},
		{
			// Fast NMS ranks anchor 0 by its best class (0: 0.9); anchor 1 (class 1: 0.8)
			// has the same box, IoU 1 > 0.5, so it is dropped although its class differs.
			name: "fast NMS suppresses across classes",
			anchors: []anchor{
				{cell(0), map[int]float32{0: 0.9, 1: 0.6}},
				{cell(0), map[int]float32{1: 0.8}},
			},
			want: []Detection{{cell(0), 0, 0.9}},
		},
		{
			// Regular NMS: class 0 keeps anchor 0 (0.9). Class 1 ranks anchor 1 (0.8) over
			// anchor 0 (0.6), keeps it and drops anchor 0 (IoU 1). Both classes are reported.
			name: "regular NMS suppresses within a class",
			opts: func(o *Options) { o.UseRegularNMS = true },
			anchors: []anchor{
				{cell(0), map[int]float32{0: 0.9, 1: 0.6}},
				{cell(0), map[int]float32{1: 0.8}},
			},
			want: []Detection{{cell(0), 0, 0.9}, {cell(0), 1, 0.8}},
		},
		{
			name: "regular NMS keeps at most DetectionsPerClass per class",
			opts: func(o *Options) { o.UseRegularNMS = true; o.DetectionsPerClass = 2 },
			anchors: []anchor{
				{cell(0), map[int]float32{0: 0.9}},
				{cell(1), map[int]float32{0: 0.8}},
				{cell(2), map[int]float32{0: 0.7}},
				{cell(3), map[int]float32{1: 0.6}},
			},
			want: []Detection{{cell(0), 0, 0.9}, {cell(1), 0, 0.8}, {cell(3), 1, 0.6}},
		},
		{
			// Anchor 0 reports its two best classes (0.9, 0.6); 0.3 is below the min score.
			name: "fast NMS with two classes per detection",
			opts: func(o *Options) { o.MaxClassesPerDetection = 2 },
			anchors: []anchor{
				{cell(0), map[int]float32{1: 0.9, 3: 0.6, 2: 0.3}},
				{cell(1), map[int]float32{0: 0.7}},
			},
			want: []Detection{{cell(0), 1, 0.9}, {cell(1), 0, 0.7}, {cell(0), 3, 0.6}},
		},
		{
			name:    "boxes are clipped to the image",
			anchors: []anchor{{Box{-0.25, 0.75, 0.25, 1.25}, map[int]float32{0: 0.9}}},
			want:    []Detection{{Box{0, 0.75, 0.25, 1}, 0, 0.9}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts, q := testOptions(), q
			if tc.opts != nil {
				tc.opts(&opts)
			}
			if tc.query != nil {
				tc.query(&q)
			}
			enc, scores, anchors := frame(opts.NumClasses, tc.anchors)
			got, err := Postprocess(enc, scores, anchors, opts, q)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestPostprocessErrors(t *testing.T) {
	enc, scores, anchors := frame(4, []anchor{{cell(0), map[int]float32{0: 0.9}}})
	q := Query{MinScore: 0.5, MaxDetections: 10}
	tests := []struct {
		name                string
		enc, scores, anchor []float32
		opts                func(*Options)
		q                   Query
		want                error
	}{
		{name: "anchors not in fours", enc: enc, scores: scores, anchor: anchors[:3], q: q, want: ErrInput},
		{name: "encodings short", enc: enc[:3], scores: scores, anchor: anchors, q: q, want: ErrInput},
		{name: "scores short", enc: enc, scores: scores[:4], anchor: anchors, q: q, want: ErrInput},
		{name: "scores without anchors", scores: scores, q: q, want: ErrInput},
		{
			name: "anchor of negative height", enc: enc, scores: scores,
			anchor: []float32{0.5, 0.5, -0.1, 0.1}, q: q, want: ErrInput,
		},
		{
			name: "num classes zero", enc: enc, scores: scores, anchor: anchors, q: q, want: ErrOptions,
			opts: func(o *Options) { o.NumClasses = 0 },
		},
		{
			name: "NaN scale", enc: enc, scores: scores, anchor: anchors, q: q, want: ErrOptions,
			opts: func(o *Options) { o.HScale = float32(math.NaN()) },
		},
		{name: "max detections zero", enc: enc, scores: scores, anchor: anchors, q: Query{MinScore: 0.5}, want: ErrQuery},
		{
			name: "NaN min score", enc: enc, scores: scores, anchor: anchors, want: ErrQuery,
			q: Query{MinScore: float32(math.NaN()), MaxDetections: 1},
		},
	}
	for _, tc := range tests {
		opts := testOptions()
		if tc.opts != nil {
			tc.opts(&opts)
		}
		if _, err := Postprocess(tc.enc, tc.scores, tc.anchor, opts, tc.q); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestPostprocessNoAnchors(t *testing.T) {
	got, err := Postprocess(nil, nil, nil, testOptions(), Query{MaxDetections: 1})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("got %v, %v; want an empty slice", got, err)
	}
}
