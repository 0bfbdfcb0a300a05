package pose

import "fmt"

// MoveNetValues is the length of MoveNet SinglePose's output [1, 1, 17, 3].
const MoveNetValues = NumParts * 3

// DecodeMoveNet reads MoveNet SinglePose's output: for each part, y and x normalised to the
// width×height input and a score. Positions come back in input pixels; the pose's score is
// the mean of its keypoint scores.
func DecodeMoveNet(out []float32, width, height int) (Pose, error) {
	if len(out) != MoveNetValues {
		return Pose{}, fmt.Errorf("%w: %d MoveNet values, want %d", ErrMaps, len(out), MoveNetValues)
	}
	if width < 1 || height < 1 {
		return Pose{}, fmt.Errorf("%w: input size %dx%d", ErrMaps, width, height)
	}
	var p Pose
	for part := range NumParts {
		y, x, s := float64(out[3*part]), float64(out[3*part+1]), float64(out[3*part+2])
		p.Keypoints[part] = Keypoint{X: x * float64(width), Y: y * float64(height), Score: s}
		p.Score += s / NumParts
	}
	return p, nil
}
