package convert

import (
	"context"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/inference/tflite"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/preprocess"
)

// realModels are the shared models and the outputs their converted graphs compute, with the
// shapes documented in shared/models/SOURCES.md: the model's outputs, or for a model ending in
// a custom operator, that operator's computed inputs.
var realModels = []struct {
	file    string
	outputs map[string][]int64
}{
	{"movenet_singlepose_lightning_int8_4.tflite", map[string][]int64{"StatefulPartitionedCall:0": {1, 1, 17, 3}}},
	{"palm_detection_lite.tflite", map[string][]int64{"Identity": {1, 2016, 18}, "Identity_1": {1, 2016, 1}}},
	{"hand_landmark_lite.tflite", map[string][]int64{
		"Identity": {1, 63}, "Identity_1": {1, 1}, "Identity_2": {1, 1}, "Identity_3": {1, 63},
	}},
	{"posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite", map[string][]int64{
		"float_heatmaps": {1, 31, 41, 17}, "float_short_offsets": {1, 31, 41, 34}, "float_mid_offsets": {1, 31, 41, 64},
	}},
	{"coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite", map[string][]int64{
		"Squeeze": {1, 1917, 4}, "convert_scores": {1, 1917, 91},
	}},
	{"mobilenet_v1_0.25_224_float.tflite", map[string][]int64{"MobilenetV1/Predictions/Reshape_1": {1, 1001}}},
	{"mobilenet_v1_0.25_224_quant.tflite", map[string][]int64{"MobilenetV1/Predictions/Reshape_1": {1, 1001}}},
	{"mobilenet_v2_1.0_224_quant.tflite", map[string][]int64{"output": {1, 1001}}},
}

// TestRealModels converts every shared model in both modes, loads it in ONNX Runtime and runs
// it on a patterned input, checking the names and shapes of the outputs and that every value
// is finite.
func TestRealModels(t *testing.T) {
	e := testmodels.Engine(t)
	for _, tc := range realModels {
		t.Run(tc.file, func(t *testing.T) {
			m := parseFile(t, tc.file)
			for _, mode := range []Mode{Float, QDQ} {
				out := runModel(t, e, m, mode, patterned)
				if len(out) != len(tc.outputs) {
					t.Errorf("%v mode: %d outputs, want %d", mode, len(out), len(tc.outputs))
				}
				for _, o := range out {
					want, ok := tc.outputs[o.Name]
					if !ok || !slices.Equal(o.Shape, want) {
						t.Errorf("%v mode: output %q has shape %v, want %v", mode, o.Name, o.Shape, want)
					}
					for _, v := range o.Data.([]float32) {
						if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
							t.Errorf("%v mode: output %q holds %v", mode, o.Name, v)
							break
						}
					}
				}
			}
		})
	}
}

// patterned fills an input tensor with a fixed pattern of stripes: bytes 0–255 for an 8-bit
// input, values in [0, 1] for a float one.
func patterned(info inference.TensorInfo) (inference.Tensor, error) {
	in, err := inference.NewTensor(info)
	if err != nil {
		return in, err
	}
	switch d := in.Data.(type) {
	case []uint8:
		for k := range d {
			d[k] = uint8(k * 7 % 256)
		}
	case []int8:
		for k := range d {
			d[k] = int8(k * 7 % 256)
		}
	case []float32:
		for k := range d {
			d[k] = float32(k*7%256) / 255
		}
	}
	return in, nil
}

// parseFile reads and parses a shared model.
func parseFile(t *testing.T, name string) *tflite.Model {
	t.Helper()
	data, err := os.ReadFile(testenv.Model(t, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := tflite.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runModel converts m in mode, loads it and runs it once on the single input that fill makes.
func runModel(t *testing.T, e *ort.Engine, m *tflite.Model, mode Mode, fill func(inference.TensorInfo) (inference.Tensor, error)) []inference.Tensor {
	t.Helper()
	model, err := Convert(m, mode)
	if err != nil {
		t.Fatalf("%v mode: %v", mode, err)
	}
	s, err := e.Load(model, inference.Options{})
	if err != nil {
		t.Fatalf("%v mode: loading the converted model: %v", mode, err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	if len(s.Inputs()) != 1 {
		t.Fatalf("%v mode: %d inputs, want 1", mode, len(s.Inputs()))
	}
	in, err := fill(s.Inputs()[0])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]inference.Tensor, len(s.Outputs()))
	if err := s.Run(context.Background(), []inference.Tensor{in}, out); err != nil {
		t.Fatalf("%v mode: Run: %v", mode, err)
	}
	return out
}

// TestMoveNetPose runs the converted MoveNet on a photo of one person in a warrior-II yoga pose,
// letterboxed into the 192x192 input. In the 1000x667 photo the head is near (480, 275) with
// the nose just left of it (the person faces left), the arms stretch out horizontally to hands
// near x 250 and x 750 at about y 305, and the feet stand on the mat near y 625.
func TestMoveNetPose(t *testing.T) {
	e := testmodels.Engine(t)
	m := parseFile(t, "movenet_singlepose_lightning_int8_4.tflite")
	data, err := os.ReadFile(testenv.Image(t, "person_fullbody_pose.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := preprocess.Decode(data, preprocess.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	layout := preprocess.Layout{Width: 192, Height: 192, Fit: preprocess.Letterbox}
	var tr preprocess.Transform
	fill := func(info inference.TensorInfo) (inference.Tensor, error) {
		in, err := inference.NewTensor(info)
		if err == nil {
			tr, err = preprocess.ToUint8(img, layout, in.Data.([]uint8))
		}
		return in, err
	}
	const (
		nose              = 0
		leftWrist         = 9
		rightWrist        = 10
		leftAnkle         = 15
		rightAnkle        = 16
		keypoints, fields = 17, 3
	)
	for _, mode := range []Mode{Float, QDQ} {
		out := runModel(t, e, m, mode, fill)
		kp := out[0].Data.([]float32)
		if len(kp) != keypoints*fields {
			t.Fatalf("%v mode: %d values, want %d", mode, len(kp), keypoints*fields)
		}
		// at returns keypoint k in photo pixels and its score.
		at := func(k int) (x, y, score float64) {
			y, x, score = float64(kp[3*k]), float64(kp[3*k+1]), float64(kp[3*k+2])
			x, y = tr.ToSource(x*192, y*192)
			return x, y, score
		}
		for k := range keypoints {
			y, x, score := kp[3*k], kp[3*k+1], kp[3*k+2]
			if y < 0 || y > 1 || x < 0 || x > 1 || score < 0 || score > 1 {
				t.Errorf("%v mode: keypoint %d = (y %v, x %v, score %v), want all in [0, 1]", mode, k, y, x, score)
			}
		}
		if x, y, score := at(nose); x < 400 || x > 540 || y < 220 || y > 340 || score < 0.3 {
			t.Errorf("%v mode: nose at (%.0f, %.0f) with score %.2f, want near (470, 285) in the upper part, score at least 0.3", mode, x, y, score)
		}
		lx, ly, _ := at(leftWrist)
		rx, ry, _ := at(rightWrist)
		if min(lx, rx) > 350 || max(lx, rx) < 650 || min(ly, ry) < 220 || max(ly, ry) > 400 {
			t.Errorf("%v mode: wrists at (%.0f, %.0f) and (%.0f, %.0f), want one left of x 350 and one right of x 650, both at shoulder height", mode, lx, ly, rx, ry)
		}
		for _, k := range []int{leftAnkle, rightAnkle} {
			if _, y, _ := at(k); y < 540 {
				t.Errorf("%v mode: ankle %d at y %.0f, want below 540 (the feet are near y 625)", mode, k, y)
			}
		}
	}
}

// TestPalmDetection runs the converted palm detector on a photo of two hands, letterboxed into
// the 192x192 input, and checks where the best-scoring anchor puts its palm. In the 705x382
// photo the left hand's palm is near (175, 270) and the right hand's near (545, 115).
func TestPalmDetection(t *testing.T) {
	e := testmodels.Engine(t)
	m := parseFile(t, "palm_detection_lite.tflite")
	data, err := os.ReadFile(testenv.Image(t, "hands.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := preprocess.Decode(data, preprocess.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var tr preprocess.Transform
	fill := func(info inference.TensorInfo) (inference.Tensor, error) {
		in, err := inference.NewTensor(info)
		if err == nil {
			layout := preprocess.Layout{Width: 192, Height: 192, Fit: preprocess.Letterbox}
			tr, err = preprocess.ToFloat32(img, layout, 0, 255, in.Data.([]float32))
		}
		return in, err
	}
	for _, mode := range []Mode{Float, QDQ} {
		out := runModel(t, e, m, mode, fill)
		var boxes, scores []float32
		for _, o := range out {
			switch o.Name {
			case "Identity":
				boxes = o.Data.([]float32)
			case "Identity_1":
				scores = o.Data.([]float32)
			}
		}
		if len(boxes) != 2016*18 || len(scores) != 2016 {
			t.Fatalf("%v mode: %d box values and %d scores", mode, len(boxes), len(scores))
		}
		best := 0
		for k, s := range scores {
			if s > scores[best] {
				best = k
			}
		}
		// Anchors (SOURCES.md): 24x24 cells of 2 at stride 8, then 12x12 cells of 6; a box
		// centre is the cell centre plus an offset in 192-pixel units.
		grid, cell := 24, best/2
		if best >= 24*24*2 {
			grid, cell = 12, (best-24*24*2)/6
		}
		cx := (float64(cell%grid)+0.5)/float64(grid)*192 + float64(boxes[18*best])
		cy := (float64(cell/grid)+0.5)/float64(grid)*192 + float64(boxes[18*best+1])
		x, y := tr.ToSource(cx, cy)
		onLeft := x > 80 && x < 280 && y > 170 && y < 370
		onRight := x > 440 && x < 650 && y > 50 && y < 250
		if scores[best] < 0 || !onLeft && !onRight {
			t.Errorf("%v mode: best palm at (%.0f, %.0f) with logit %.2f, want a positive logit on one of the palms", mode, x, y, scores[best])
		}
	}
}
