package ssd

import (
	"reflect"
	"sort"
	"testing"
)

// referenceNMS is NMS on one score per anchor written the way the TFLite kernel does it:
// anchors at or above minScore, stably sorted by score, each selected one switching off the
// later ones that overlap it by more than iou. It returns the selected anchors in order.
func referenceNMS(boxes []Box, scores []float32, minScore, iou float32, limit int) []int {
	var order []int
	for a, s := range scores {
		if s >= minScore {
			order = append(order, a)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return scores[order[i]] > scores[order[j]] })
	active := make([]bool, len(order))
	for i := range active {
		active[i] = true
	}
	var selected []int
	for i, a := range order {
		if len(selected) == limit {
			break
		}
		if !active[i] {
			continue
		}
		selected = append(selected, a)
		for j := i + 1; j < len(order); j++ {
			if active[j] && boxes[a].IoU(boxes[order[j]]) > iou {
				active[j] = false
			}
		}
	}
	return selected
}

// reference computes Postprocess's answer the slow, direct way (one class per box in fast
// mode, no class filter).
func reference(enc, scores, anchors []float32, o Options, q Query) []Detection {
	n, stride := len(anchors)/4, o.NumClasses+1
	boxes := make([]Box, n)
	for a := range boxes {
		boxes[a] = decode(enc[4*a:4*a+4], anchors[4*a:4*a+4], &o)
	}
	type det struct {
		Detection
		anchor int
	}
	var dets []det
	column := make([]float32, n)
	if !o.UseRegularNMS {
		best := make([]int, n)
		for a := range n {
			for c := range o.NumClasses {
				if v := scores[a*stride+1+c]; v > column[a] || c == 0 {
					column[a], best[a] = v, c
				}
			}
		}
		for _, a := range referenceNMS(boxes, column, q.MinScore, o.IoUThreshold, q.MaxDetections) {
			dets = append(dets, det{Detection{boxes[a].clip(), best[a], column[a]}, a})
		}
	} else {
		for c := range o.NumClasses {
			for a := range n {
				column[a] = scores[a*stride+1+c]
			}
			for _, a := range referenceNMS(boxes, column, q.MinScore, o.IoUThreshold, o.DetectionsPerClass) {
				dets = append(dets, det{Detection{boxes[a].clip(), c, column[a]}, a})
			}
		}
	}
	sort.SliceStable(dets, func(i, j int) bool {
		if dets[i].Score != dets[j].Score {
			return dets[i].Score > dets[j].Score
		}
		if dets[i].anchor != dets[j].anchor {
			return dets[i].anchor < dets[j].anchor
		}
		return dets[i].Class < dets[j].Class
	})
	out := []Detection{}
	for _, d := range dets[:min(len(dets), q.MaxDetections)] {
		out = append(out, d.Detection)
	}
	return out
}

// TestPostprocessMatchesReference runs the benchmark's COCO-shaped frame through both.
func TestPostprocessMatchesReference(t *testing.T) {
	enc, scores, anchors := benchFrame()
	for _, regular := range []bool{false, true} {
		for _, q := range []Query{
			{MinScore: 0.5, MaxDetections: 20},
			{MinScore: 0.7, MaxDetections: 5},
			{MinScore: 0.04, MaxDetections: 100},
		} {
			o := ssdOptions
			o.UseRegularNMS = regular
			got, err := Postprocess(enc, scores, anchors, o, q)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("regular=%v %+v: %d detections", regular, q, len(got))
			if want := reference(enc, scores, anchors, o, q); !reflect.DeepEqual(got, want) {
				t.Errorf("regular=%v %+v: got %d detections, want %d\ngot  %+v\nwant %+v",
					regular, q, len(got), len(want), got, want)
			}
		}
	}
}
