package pose

import (
	"fmt"
	"math"
	"sort"
)

// MultiOptions tune multi-pose decoding. MaxPoses, ScoreThreshold and NMSRadius are
// TensorFlow.js posenet's maxDetections, scoreThreshold and nmsRadius; MinPoseScore is the
// pose filter of Coral's PoseNet decoder, which TensorFlow.js leaves to its callers.
type MultiOptions struct {
	// MaxPoses is the most poses returned, at least 1.
	MaxPoses int
	// ScoreThreshold is the lowest heatmap score a part may have to start a pose, 0..1.
	ScoreThreshold float64
	// MinPoseScore, 0..1, drops poses scoring below it; they take no place among MaxPoses
	// and claim no keypoints.
	MinPoseScore float64
	// NMSRadius, in input pixels (at least 0), is how close a part may come to the same part
	// of a pose already found: a root closer than that starts no pose, and a keypoint closer
	// than that does not count towards its pose's score.
	NMSRadius float64
}

func (o MultiOptions) validate() error {
	switch {
	case o.MaxPoses < 1:
		return fmt.Errorf("%w: max poses %d, want at least 1", ErrOptions, o.MaxPoses)
	case !(o.ScoreThreshold >= 0 && o.ScoreThreshold <= 1):
		return fmt.Errorf("%w: score threshold %v, want 0..1", ErrOptions, o.ScoreThreshold)
	case !(o.MinPoseScore >= 0 && o.MinPoseScore <= 1):
		return fmt.Errorf("%w: min pose score %v, want 0..1", ErrOptions, o.MinPoseScore)
	case !(o.NMSRadius >= 0) || math.IsInf(o.NMSRadius, 1):
		return fmt.Errorf("%w: NMS radius %v, want a finite value of at least 0", ErrOptions, o.NMSRadius)
	}
	return nil
}

// localMaximumRadius is how many cells around a root candidate must not score higher.
const localMaximumRadius = 1

// refineSteps is how often a part reached through a displacement is re-placed by the offset
// vector of the cell it lands in.
const refineSteps = 2

// DecodeMultiple finds up to o.MaxPoses poses, as TensorFlow.js posenet's multi-pose decoder.
// Every cell where a part's heatmap scores at least o.ScoreThreshold and no neighbouring cell
// scores higher is a root candidate. Candidates are taken best first; one whose position lies
// within o.NMSRadius of the same part of a pose already found is skipped; otherwise the pose is
// walked from it along the tree, backward towards the nose and then forward to the limbs. A
// pose's score is the sum of its keypoint scores, leaving out keypoints within o.NMSRadius of
// the same part of an earlier pose, divided by 17; a pose scoring below o.MinPoseScore is
// dropped. Poses are returned best score first.
func DecodeMultiple(m Maps, o MultiOptions) ([]Pose, error) {
	if err := m.validate(true); err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	r2 := o.NMSRadius * o.NMSRadius
	var found []walked
	for _, root := range m.rootCandidates(o.ScoreThreshold) {
		if len(found) == o.MaxPoses {
			break
		}
		at := m.partPoint(root.y, root.x, root.part)
		if claimed(found, root.part, at, r2) {
			continue
		}
		w := m.walk(root.part, at, root.score)
		if w.score = unclaimedScore(found, &w, r2); w.score >= o.MinPoseScore {
			found = append(found, w)
		}
	}
	poses := make([]Pose, len(found))
	for i := range found {
		poses[i] = found[i].pose()
	}
	sort.SliceStable(poses, func(a, b int) bool { return poses[a].Score > poses[b].Score })
	return poses, nil
}

// candidate is a cell where a part's heatmap peaks locally.
type candidate struct {
	y, x, part int
	score      float64
}

// rootCandidates lists the local heatmap maxima scoring at least threshold, best first (ties
// in row-major, then part, order).
func (m *Maps) rootCandidates(threshold float64) []candidate {
	var out []candidate
	for y := range m.Height {
		for x := range m.Width {
			for part := range NumParts {
				s := m.score(y, x, part)
				if s >= threshold && m.isLocalMaximum(y, x, part, s) {
					out = append(out, candidate{y: y, x: x, part: part, score: s})
				}
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out
}

// isLocalMaximum reports whether no cell within localMaximumRadius scores above s for part.
func (m *Maps) isLocalMaximum(y, x, part int, s float64) bool {
	for cy := max(y-localMaximumRadius, 0); cy <= min(y+localMaximumRadius, m.Height-1); cy++ {
		for cx := max(x-localMaximumRadius, 0); cx <= min(x+localMaximumRadius, m.Width-1); cx++ {
			if m.score(cy, cx, part) > s {
				return false
			}
		}
	}
	return true
}

// walked is a pose being decoded, in grid-convention points.
type walked struct {
	at     [NumParts]point
	scores [NumParts]float64
	score  float64
}

func (w *walked) pose() Pose {
	p := Pose{Score: w.score}
	for part := range NumParts {
		p.Keypoints[part] = w.at[part].keypoint(w.scores[part])
	}
	return p
}

// claimed reports whether at lies within the squared radius r2 of part in any pose found.
func claimed(found []walked, part int, at point, r2 float64) bool {
	for i := range found {
		if squaredDistance(at, found[i].at[part]) <= r2 {
			return true
		}
	}
	return false
}

// unclaimedScore is the mean over all parts of w's keypoint scores, counting zero for the
// keypoints that earlier poses claim.
func unclaimedScore(found []walked, w *walked, r2 float64) float64 {
	sum := 0.0
	for part := range NumParts {
		if !claimed(found, part, w.at[part], r2) {
			sum += w.scores[part]
		}
	}
	return sum / NumParts
}

// walk decodes the pose whose root part lies at the given point: backward along the chain
// (last edge first) from children to parents, then forward from parents to children, so
// every part is reached whatever the root.
func (m *Maps) walk(root int, at point, score float64) walked {
	var w walked
	var known [NumParts]bool
	w.at[root], w.scores[root], known[root] = at, score, true
	follow := func(edge, from, to int, forward bool) {
		if known[from] && !known[to] {
			w.at[to], w.scores[to] = m.follow(edge, w.at[from], to, forward)
			known[to] = true
		}
	}
	for e := NumEdges - 1; e >= 0; e-- {
		follow(e, Chain[e].Child, Chain[e].Parent, false)
	}
	for e := range NumEdges {
		follow(e, Chain[e].Parent, Chain[e].Child, true)
	}
	return w
}

// follow moves from a part at src along edge to part target: by the displacement at the cell
// nearest src, then refineSteps times to the target's offset point of the cell reached. The
// target scores its heatmap at the final cell.
func (m *Maps) follow(edge int, src point, target int, forward bool) (point, float64) {
	y, x := m.nearestCell(src)
	d := m.displacement(y, x, edge, forward)
	p := point{y: src.y + d.y, x: src.x + d.x}
	for range refineSteps {
		y, x = m.nearestCell(p)
		p = m.partPoint(y, x, target)
	}
	y, x = m.nearestCell(p)
	return p, m.score(y, x, target)
}
