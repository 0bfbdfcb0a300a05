package annotate

import (
	"testing"

	"github.com/visiond/visiond/models/results"
)

// person is a pose facing the camera: its left side is on the image's right.
func person() results.Pose {
	kp := func(part string, x, y, score float64) results.Keypoint {
		return results.Keypoint{Part: part, Position: results.Point{X: x, Y: y}, Score: score}
	}
	return results.Pose{Score: 0.8, Keypoints: []results.Keypoint{
		kp("nose", 200, 60, 0.9), kp("leftEye", 215, 50, 0.9), kp("rightEye", 185, 50, 0.9),
		kp("leftEar", 230, 55, 0.6), kp("rightEar", 170, 55, 0.6),
		kp("leftShoulder", 260, 120, 0.9), kp("rightShoulder", 140, 120, 0.9),
		kp("leftElbow", 300, 200, 0.1), kp("rightElbow", 100, 200, 0.9),
		kp("leftWrist", 320, 280, 0.05), kp("rightWrist", 90, 280, 0.8),
		kp("leftHip", 240, 260, 0.8), kp("rightHip", 160, 260, 0.8),
		kp("leftKnee", 245, 330, 0.7), kp("rightKnee", 155, 330, 0.7),
		kp("leftAnkle", 250, 390, 0.2), kp("rightAnkle", 150, 390, 0.6),
	}}
}

func TestPosesSkeleton(t *testing.T) {
	src := solid(400, 400, bg)
	img := Poses(src, []results.Pose{person()}, Options{LineWidth: 6})
	keep(t, "pose", img)
	expectColor(t, img, 200, 120, midline, "shoulder-shoulder midpoint")
	expectColor(t, img, 200, 260, midline, "hip-hip midpoint")
	expectColor(t, img, 120, 160, rightSide, "right upper arm midpoint")
	expectColor(t, img, 250, 190, leftSide, "left trunk side midpoint")
	expectColor(t, img, 100, 200, rightSide, "right elbow dot")
	expectColor(t, img, 200, 60, midline, "nose dot")
	// Keypoints under 0.3 (left elbow, wrist, ankle) get no dot and no line.
	for _, p := range [][2]int{{300, 200}, {280, 160}, {310, 240}, {320, 280}, {250, 390}, {248, 360}} {
		expectColor(t, img, p[0], p[1], bg, "low-score keypoint or its line")
	}
	if src.RGBAAt(200, 120) != bg {
		t.Error("the input image was modified")
	}
}

func TestPosesThreshold(t *testing.T) {
	all := Poses(solid(400, 400, bg), []results.Pose{person()}, Options{LineWidth: 6, MinKeypointScore: -1})
	expectColor(t, all, 280, 160, leftSide, "left upper arm with every keypoint drawn")
	expectColor(t, all, 250, 390, leftSide, "left ankle dot with every keypoint drawn")
	strict := Poses(solid(400, 400, bg), []results.Pose{person()}, Options{LineWidth: 6, MinKeypointScore: 0.85})
	expectColor(t, strict, 200, 120, midline, "shoulders score 0.9")
	expectColor(t, strict, 200, 260, bg, "hips score 0.8")
}

func TestHandsFingerChains(t *testing.T) {
	hand := results.Hand{HandInViewConfidence: 0.99, Annotations: map[string][][3]float64{
		"palmBase":     {{200, 350, 0}},
		"thumb":        {{140, 320, 0}, {110, 280, 0}, {95, 245, 0}, {85, 215, 0}},
		"indexFinger":  {{160, 220, 0}, {150, 170, 0}, {145, 135, 0}, {140, 105, 0}},
		"middleFinger": {{195, 215, 0}, {195, 160, 0}, {195, 120, 0}, {195, 85, 0}},
		"ringFinger":   {{230, 225, 0}, {238, 175, 0}, {243, 140, 0}, {247, 110, 0}},
		"pinky":        {{260, 245, 0}, {272, 210, 0}, {280, 185, 0}, {286, 160, 0}},
	}}
	for _, name := range []string{"palmBase", "thumb", "indexFinger", "middleFinger", "ringFinger", "pinky"} {
		hand.Landmarks = append(hand.Landmarks, hand.Annotations[name]...)
	}
	img := Hands(solid(400, 400, bg), []results.Hand{hand}, Options{LineWidth: 4})
	keep(t, "hand", img)
	expectColor(t, img, 170, 335, fingers[0].color, "palm base to thumb midpoint")
	expectColor(t, img, 195, 140, fingers[2].color, "middle finger midpoint")
	expectColor(t, img, 230, 297, fingers[4].color, "palm base to pinky midpoint")
	for _, p := range hand.Landmarks {
		expectColor(t, img, int(p[0]), int(p[1]), white, "landmark dot")
	}
	if len(hand.Landmarks) != 21 {
		t.Fatalf("test hand has %d landmarks, want 21", len(hand.Landmarks))
	}
}
