// Package results holds what visiond answers: the result types of every task, shaped like the
// TensorFlow.js models (coco-ssd, mobilenet, posenet, handpose) so their users feel at home.
package results

// Classification is one ImageNet-style class guess, as TensorFlow.js mobilenet returns it.
type Classification struct {
	ClassName   string  `json:"className"`
	Probability float64 `json:"probability"`
}

// Detection is one object found in an image, as TensorFlow.js coco-ssd returns it.
// BBox is [x, y, width, height] in pixels of the original image, origin top-left.
type Detection struct {
	BBox  [4]float64 `json:"bbox"`
	Class string     `json:"class"`
	Score float64    `json:"score"`
}

// Point is a position in pixels of the original image.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Keypoint is one named body part of a pose.
type Keypoint struct {
	Part     string  `json:"part"`
	Position Point   `json:"position"`
	Score    float64 `json:"score"`
}

// Pose is one person's body keypoints, as TensorFlow.js posenet returns it.
type Pose struct {
	Score     float64    `json:"score"`
	Keypoints []Keypoint `json:"keypoints"`
}

// HandBox is the axis-aligned box around a hand, corners as [x, y] pixels.
type HandBox struct {
	TopLeft     [2]float64 `json:"topLeft"`
	BottomRight [2]float64 `json:"bottomRight"`
}

// Hand is one hand's 21 landmarks, as TensorFlow.js handpose returns it. Landmarks are
// [x, y, z] with x and y in pixels; Annotations groups them by finger ("thumb",
// "indexFinger", "middleFinger", "ringFinger", "pinky", "palmBase").
type Hand struct {
	HandInViewConfidence float64                 `json:"handInViewConfidence"`
	BoundingBox          HandBox                 `json:"boundingBox"`
	Landmarks            [][3]float64            `json:"landmarks"`
	Annotations          map[string][][3]float64 `json:"annotations"`
}
