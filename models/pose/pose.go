// Package pose decodes body poses from the outputs of PoseNet and MoveNet, the way
// TensorFlow.js posenet does: the 17 COCO keypoints, the PoseNet tree of parts that multi-person
// decoding walks, a single-pose decoder (the best spot of each part's heatmap) and a
// multi-pose decoder (greedy, root parts first, with keypoint non-maximum suppression).
//
// It is plain Go and knows nothing of models or images: positions are in pixels of the model's
// input tensor, continuous, so that pixel column i spans [i, i+1) and its centre is i + 0.5.
package pose

import (
	"errors"
	"fmt"
	"math"
)

// NumParts is the number of body keypoints of a pose.
const NumParts = 17

// The body parts, in the COCO order that PoseNet and MoveNet outputs use. Left and right are
// the person's own sides.
const (
	Nose = iota
	LeftEye
	RightEye
	LeftEar
	RightEar
	LeftShoulder
	RightShoulder
	LeftElbow
	RightElbow
	LeftWrist
	RightWrist
	LeftHip
	RightHip
	LeftKnee
	RightKnee
	LeftAnkle
	RightAnkle
)

// PartNames are the parts' names as TensorFlow.js posenet spells them, indexed by part.
var PartNames = [NumParts]string{
	"nose", "leftEye", "rightEye", "leftEar", "rightEar",
	"leftShoulder", "rightShoulder", "leftElbow", "rightElbow", "leftWrist", "rightWrist",
	"leftHip", "rightHip", "leftKnee", "rightKnee", "leftAnkle", "rightAnkle",
}

// Edge joins a parent part to a child part of the PoseNet tree.
type Edge struct {
	Parent, Child int
}

// NumEdges is the number of edges of the PoseNet tree.
const NumEdges = 16

// Chain is the PoseNet tree rooted at the nose (TensorFlow.js posenet's poseChain). Edge k owns
// displacement channels k (y) and NumEdges+k (x) of the forward and backward fields. Every
// parent appears in an earlier edge than its children.
var Chain = [NumEdges]Edge{
	{Nose, LeftEye}, {LeftEye, LeftEar}, {Nose, RightEye}, {RightEye, RightEar},
	{Nose, LeftShoulder}, {LeftShoulder, LeftElbow}, {LeftElbow, LeftWrist},
	{LeftShoulder, LeftHip}, {LeftHip, LeftKnee}, {LeftKnee, LeftAnkle},
	{Nose, RightShoulder}, {RightShoulder, RightElbow}, {RightElbow, RightWrist},
	{RightShoulder, RightHip}, {RightHip, RightKnee}, {RightKnee, RightAnkle},
}

// Keypoint is one body part: its position in model-input pixels and its score, 0..1.
type Keypoint struct {
	X, Y  float64
	Score float64
}

// Pose is one person: a score, 0..1, and the keypoints indexed by part.
type Pose struct {
	Score     float64
	Keypoints [NumParts]Keypoint
}

// ErrMaps means the PoseNet outputs handed to a decoder do not fit their declared size.
var ErrMaps = errors.New("pose: output maps do not fit their size")

// ErrOptions means a decoding option is out of range.
var ErrOptions = errors.New("pose: bad decoding option")

// Maps are PoseNet's outputs for one image, each a row-major [Height, Width, channels] grid
// whose cell (y, x) sits on input pixel (y*Stride, x*Stride).
type Maps struct {
	// Height and Width are the grid's size in cells.
	Height, Width int
	// Stride is the number of input pixels between neighbouring cells.
	Stride int
	// Heatmaps [H, W, 17] hold each part's probability of lying near the cell (apply a
	// sigmoid first if the model gives logits).
	Heatmaps []float32
	// Offsets [H, W, 34] are the input-pixel vectors from a cell to each part near it: the
	// 17 y components, then the 17 x components.
	Offsets []float32
	// Displacements [H, W, 64] are the input-pixel vectors from a part to its neighbour in
	// the tree: 32 forward (parent to child) channels, then 32 backward (child to parent);
	// each half is TensorFlow.js's [H, W, 32] field of 16 y components, then 16 x, by edge.
	// Single-pose decoding does not read them and accepts nil.
	Displacements []float32
}

// Channel counts of the maps.
const (
	offsetChannels       = 2 * NumParts
	displacementChannels = 4 * NumEdges
)

func (m *Maps) validate(needDisplacements bool) error {
	cells := m.Height * m.Width
	switch {
	case m.Height < 1 || m.Width < 1 || m.Stride < 1:
		return fmt.Errorf("%w: %dx%d cells, stride %d", ErrMaps, m.Height, m.Width, m.Stride)
	case len(m.Heatmaps) != cells*NumParts:
		return fmt.Errorf("%w: %d heatmap values for %d cells", ErrMaps, len(m.Heatmaps), cells)
	case len(m.Offsets) != cells*offsetChannels:
		return fmt.Errorf("%w: %d offset values for %d cells", ErrMaps, len(m.Offsets), cells)
	case needDisplacements && len(m.Displacements) != cells*displacementChannels:
		return fmt.Errorf("%w: %d displacement values for %d cells", ErrMaps, len(m.Displacements), cells)
	}
	return nil
}

// point is a position in input pixels, on the grid's convention: cell (y, x) is at
// (y*Stride, x*Stride), the centre of that pixel.
type point struct{ y, x float64 }

// keypoint turns p into a Keypoint in continuous input pixels.
func (p point) keypoint(score float64) Keypoint {
	return Keypoint{X: p.x + 0.5, Y: p.y + 0.5, Score: score}
}

func squaredDistance(a, b point) float64 {
	dy, dx := a.y-b.y, a.x-b.x
	return dy*dy + dx*dx
}

func (m *Maps) score(y, x, part int) float64 {
	return float64(m.Heatmaps[(y*m.Width+x)*NumParts+part])
}

// partPoint is where part lies according to cell (y, x): the cell plus its offset vector.
func (m *Maps) partPoint(y, x, part int) point {
	i := (y*m.Width + x) * offsetChannels
	return point{
		y: float64(y*m.Stride) + float64(m.Offsets[i+part]),
		x: float64(x*m.Stride) + float64(m.Offsets[i+NumParts+part]),
	}
}

// displacement is the vector along edge at cell (y, x), parent to child when forward.
func (m *Maps) displacement(y, x, edge int, forward bool) point {
	i := (y*m.Width + x) * displacementChannels
	if !forward {
		i += 2 * NumEdges
	}
	return point{y: float64(m.Displacements[i+edge]), x: float64(m.Displacements[i+NumEdges+edge])}
}

// nearestCell is the grid cell closest to p, clamped to the grid.
func (m *Maps) nearestCell(p point) (y, x int) {
	nearest := func(v float64, n int) int {
		return min(max(int(math.Floor(v/float64(m.Stride)+0.5)), 0), n-1)
	}
	return nearest(p.y, m.Height), nearest(p.x, m.Width)
}
