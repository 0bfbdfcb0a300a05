package annotate

import (
	"image"
	"image/color"
	"strings"

	"github.com/visiond/visiond/models/results"
)

// skeleton lists the keypoint pairs joined by a line: the TensorFlow.js posenet adjacency
// plus the face edges.
var skeleton = [...][2]string{
	{"leftHip", "leftShoulder"}, {"leftElbow", "leftShoulder"}, {"leftElbow", "leftWrist"},
	{"leftHip", "leftKnee"}, {"leftKnee", "leftAnkle"},
	{"rightHip", "rightShoulder"}, {"rightElbow", "rightShoulder"}, {"rightElbow", "rightWrist"},
	{"rightHip", "rightKnee"}, {"rightKnee", "rightAnkle"},
	{"leftShoulder", "rightShoulder"}, {"leftHip", "rightHip"},
	{"nose", "leftEye"}, {"nose", "rightEye"}, {"leftEye", "leftEar"}, {"rightEye", "rightEar"},
}

// Poses returns a copy of img with each pose's skeleton: a dot on every keypoint scoring at
// least MinKeypointScore and a line between adjacent keypoints that both do. The body's left
// side is orange, its right side blue, and parts joining both sides green.
func Poses(img image.Image, poses []results.Pose, o Options) *image.RGBA {
	c := newCanvas(img, o)
	for _, p := range poses {
		for _, e := range skeleton {
			a, okA := c.keypoint(p, e[0])
			b, okB := c.keypoint(p, e[1])
			if okA && okB {
				c.line(a.X, a.Y, b.X, b.Y, c.lineWidth, edgeColor(e[0], e[1]))
			}
		}
		for _, k := range p.Keypoints {
			if k.Score >= c.minScore {
				c.dot(k.Position.X, k.Position.Y, c.lineWidth, edgeColor(k.Part, k.Part))
			}
		}
	}
	return c.img
}

// keypoint finds a part of p that scores at least the threshold.
func (c *canvas) keypoint(p results.Pose, part string) (results.Point, bool) {
	for _, k := range p.Keypoints {
		if k.Part == part && k.Score >= c.minScore {
			return k.Position, true
		}
	}
	return results.Point{}, false
}

// edgeColor colours a line (or, with a == b, a dot) by the body side of its ends.
func edgeColor(a, b string) color.RGBA {
	switch s := side(a) + side(b); {
	case s < 0:
		return leftSide
	case s > 0:
		return rightSide
	}
	return midline
}

// side is -1 for a part on the body's left, 1 on its right and 0 in the middle.
func side(part string) int {
	switch {
	case strings.HasPrefix(part, "left"):
		return -1
	case strings.HasPrefix(part, "right"):
		return 1
	}
	return 0
}
