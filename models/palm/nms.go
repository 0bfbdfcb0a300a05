package palm

import (
	"cmp"
	"slices"
)

// WeightedNMS merges overlapping detections as MediaPipe's NonMaxSuppressionCalculator does
// with the WEIGHTED algorithm and intersection-over-union overlap. Repeatedly, the best
// remaining detection takes every remaining detection whose IoU with it is above threshold
// (itself included); they become one detection whose box corners and keypoints are the
// score-weighted means of theirs and whose score is the best one's. The result is best
// first. dets is not changed.
func WeightedNMS(dets []Detection, threshold float64) []Detection {
	remaining := slices.Clone(dets)
	slices.SortStableFunc(remaining, func(a, b Detection) int { return cmp.Compare(b.Score, a.Score) })
	var out []Detection
	for len(remaining) > 0 {
		best := remaining[0]
		var merged, rest []Detection
		for _, d := range remaining {
			if d.Box.IoU(best.Box) > threshold {
				merged = append(merged, d)
			} else {
				rest = append(rest, d)
			}
		}
		out = append(out, weightedMean(best, merged))
		if len(rest) == len(remaining) {
			// Nothing merged, not even best (an empty box): MediaPipe stops here.
			break
		}
		remaining = rest
	}
	return out
}

// weightedMean returns best with its box and keypoints replaced by the score-weighted means
// of those of group; best keeps its score. An empty group leaves best as it is.
func weightedMean(best Detection, group []Detection) Detection {
	if len(group) == 0 {
		return best
	}
	var sum Detection
	total := 0.0
	for _, d := range group {
		s := d.Score
		total += s
		sum.Box.XMin += d.Box.XMin * s
		sum.Box.YMin += d.Box.YMin * s
		sum.Box.XMax += d.Box.XMax * s
		sum.Box.YMax += d.Box.YMax * s
		for k, p := range d.Keypoints {
			sum.Keypoints[k].X += p.X * s
			sum.Keypoints[k].Y += p.Y * s
		}
	}
	out := best
	out.Box = Box{XMin: sum.Box.XMin / total, YMin: sum.Box.YMin / total, XMax: sum.Box.XMax / total, YMax: sum.Box.YMax / total}
	for k, p := range sum.Keypoints {
		out.Keypoints[k] = Point{X: p.X / total, Y: p.Y / total}
	}
	return out
}
