package pose

import (
	"math"
	"testing"
)

// person is a body laid out by hand: each part's position on the grid convention (input
// pixel indices, y then x) and its heatmap score.
type person struct {
	at     [NumParts]point
	scores [NumParts]float64
}

// standing is a small upright figure, facing the camera, with every part scoring s.
func standing(s float64) person {
	p := person{at: [NumParts]point{
		Nose: {10, 20}, LeftEye: {8, 22}, RightEye: {8, 18}, LeftEar: {9, 25}, RightEar: {9, 15},
		LeftShoulder: {20, 28}, RightShoulder: {20, 12}, LeftElbow: {32, 31}, RightElbow: {32, 9},
		LeftWrist: {44, 33}, RightWrist: {44, 7}, LeftHip: {50, 25}, RightHip: {50, 15},
		LeftKnee: {66, 26}, RightKnee: {66, 14}, LeftAnkle: {82, 27}, RightAnkle: {82, 13},
	}}
	for i := range p.scores {
		p.scores[i] = s
	}
	return p
}

// shifted is p moved by dx input pixels.
func (p person) shifted(dx float64) person {
	for i := range p.at {
		p.at[i].x += dx
	}
	return p
}

// emptyMaps returns all-zero maps of h×w cells.
func emptyMaps(h, w, stride int) Maps {
	return Maps{
		Height: h, Width: w, Stride: stride,
		Heatmaps:      make([]float32, h*w*NumParts),
		Offsets:       make([]float32, h*w*offsetChannels),
		Displacements: make([]float32, h*w*displacementChannels),
	}
}

// draw writes p into m as a perfect PoseNet would: each part's heatmap peak and offset
// vector at its nearest cell, and along each edge the forward displacement at the parent's
// cell and the backward one at the child's.
func (m *Maps) draw(p person) {
	for part, at := range p.at {
		y, x := m.nearestCell(at)
		m.Heatmaps[(y*m.Width+x)*NumParts+part] = float32(p.scores[part])
		i := (y*m.Width + x) * offsetChannels
		m.Offsets[i+part] = float32(at.y - float64(y*m.Stride))
		m.Offsets[i+NumParts+part] = float32(at.x - float64(x*m.Stride))
	}
	for e, edge := range Chain {
		parent, child := p.at[edge.Parent], p.at[edge.Child]
		m.setDisplacement(parent, e, 0, child.y-parent.y, child.x-parent.x)
		m.setDisplacement(child, e, 2*NumEdges, parent.y-child.y, parent.x-child.x)
	}
}

func (m *Maps) setDisplacement(at point, edge, half int, dy, dx float64) {
	y, x := m.nearestCell(at)
	i := (y*m.Width+x)*displacementChannels + half
	m.Displacements[i+edge] = float32(dy)
	m.Displacements[i+NumEdges+edge] = float32(dx)
}

// checkPose compares got with p's layout (shifted half a pixel to continuous coordinates)
// and scores, and got's score with want.
func checkPose(t *testing.T, got Pose, p person, want float64) {
	t.Helper()
	if math.Abs(got.Score-want) > 1e-6 {
		t.Errorf("pose score %.6f, want %.6f", got.Score, want)
	}
	for part, k := range got.Keypoints {
		w := p.at[part]
		if math.Abs(k.X-(w.x+0.5)) > 1e-4 || math.Abs(k.Y-(w.y+0.5)) > 1e-4 || math.Abs(k.Score-p.scores[part]) > 1e-6 {
			t.Errorf("%s at (%.2f, %.2f) score %.3f, want (%.2f, %.2f) score %.3f",
				PartNames[part], k.X, k.Y, k.Score, w.x+0.5, w.y+0.5, p.scores[part])
		}
	}
}

func mean(scores []float64) float64 {
	sum := 0.0
	for _, s := range scores {
		sum += s
	}
	return sum / NumParts
}
