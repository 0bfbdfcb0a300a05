package tflite

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/internal/testenv"
)

// The real models, with what SOURCES.md says about their graphs.
var realModels = []struct {
	file     string
	input    string
	inShape  []int32
	inType   TensorType
	ops      int
	customOp string
}{
	{"coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite", "normalized_input_image_tensor", []int32{1, 300, 300, 3}, Uint8, 64, "TFLite_Detection_PostProcess"},
	{"mobilenet_v2_1.0_224_quant.tflite", "input", []int32{1, 224, 224, 3}, Uint8, 65, ""},
	{"mobilenet_v1_0.25_224_float.tflite", "input", []int32{1, 224, 224, 3}, Float32, 31, ""},
	{"mobilenet_v1_0.25_224_quant.tflite", "input", []int32{1, 224, 224, 3}, Uint8, 31, ""},
	{"posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite", "sub_2", []int32{1, 481, 641, 3}, Uint8, 38, "PosenetDecoderOp"},
	{"movenet_singlepose_lightning_int8_4.tflite", "serving_default_input:0", []int32{1, 192, 192, 3}, Uint8, 157, ""},
	{"palm_detection_lite.tflite", "input_1", []int32{1, 192, 192, 3}, Float32, 232, ""},
	{"hand_landmark_lite.tflite", "input_1", []int32{1, 224, 224, 3}, Float32, 167, ""},
}

// parseShared parses a model of the shared models folder.
func parseShared(t *testing.T, name string) *Model {
	t.Helper()
	data, err := os.ReadFile(testenv.Model(t, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseRealModels(t *testing.T) {
	for _, tc := range realModels {
		t.Run(tc.file, func(t *testing.T) {
			m := parseShared(t, tc.file)
			g := m.Subgraphs[0]
			if len(g.Inputs) != 1 {
				t.Fatalf("inputs = %v, want one", g.Inputs)
			}
			in := g.Tensors[g.Inputs[0]]
			if in.Name != tc.input || in.Type != tc.inType || !equal(in.Shape, tc.inShape) {
				t.Errorf("input = %s %v %v, want %s %v %v", in.Name, in.Type, in.Shape, tc.input, tc.inType, tc.inShape)
			}
			if len(g.Operators) != tc.ops {
				t.Errorf("%d operators, want %d", len(g.Operators), tc.ops)
			}
			custom := ""
			for _, op := range g.Operators {
				if c := m.OperatorCodes[op.Opcode]; c.Builtin == Custom {
					custom = c.Custom
				}
			}
			if custom != tc.customOp {
				t.Errorf("custom operator %q, want %q", custom, tc.customOp)
			}
			// Every constant must have exactly the bytes its shape and type need.
			for i := range g.Tensors {
				if _, err := m.Data(&g.Tensors[i]); err != nil && g.Tensors[i].Type.Size() != 0 {
					t.Errorf("tensor %s: %v", g.Tensors[i].Name, err)
				}
			}
		})
	}
}

func TestParseQuantisation(t *testing.T) {
	data, err := os.ReadFile(testenv.Model(t, "mobilenet_v2_1.0_224_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	g := m.Subgraphs[0]
	in, out := g.Tensors[g.Inputs[0]], g.Tensors[g.Outputs[0]]
	// SOURCES.md: input scale 0.0078125 zero point 128; output scale 0.0988925 zero point 58.
	if in.Quant == nil || in.Quant.Scale[0] != 0.0078125 || in.Quant.ZeroPoint[0] != 128 {
		t.Errorf("input quantisation %+v", in.Quant)
	}
	if out.Quant == nil || out.Quant.ZeroPoint[0] != 58 || out.Quant.Scale[0] < 0.09889 || out.Quant.Scale[0] > 0.09890 {
		t.Errorf("output quantisation %+v", out.Quant)
	}
	conv, err := g.Operators[0].Options.Conv2D()
	if err != nil {
		t.Fatal(err)
	}
	// MobileNet v2 starts with a 3x3 stride-2 SAME convolution followed by RELU6. This
	// quantised export fuses no activation: the RELU6 lives in the output's quantised range,
	// zero point 0 and 255*scale = 6.
	if conv.StrideW != 2 || conv.StrideH != 2 || conv.Padding != Same || conv.Activation != ActNone {
		t.Errorf("first convolution options %+v", conv)
	}
	q := g.Tensors[g.Operators[0].Outputs[0]].Quant
	if q == nil || q.ZeroPoint[0] != 0 || 255*q.Scale[0] < 5.99 || 255*q.Scale[0] > 6.01 {
		t.Errorf("first convolution output quantisation %+v, want the range [0, 6]", q)
	}
}

func TestParseRejectsCorruptFiles(t *testing.T) {
	data, err := os.ReadFile(testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(off int, v byte) []byte {
		b := append([]byte(nil), data...)
		b[off] = v
		return b
	}
	cases := map[string][]byte{
		"empty":               {},
		"short":               []byte("TFL3"),
		"not tflite":          []byte("\x89PNG\r\n\x1a\n0000000000000000"),
		"root past the end":   append([]byte{0xff, 0xff, 0xff, 0x7f}, data[4:]...),
		"truncated to half":   data[:len(data)/2],
		"truncated header":    data[:64],
		"vtable offset wrong": flip(int(data[0])|int(data[1])<<8, 0x7f),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(b)
			if !errors.Is(err, inference.ErrBadModel) {
				t.Fatalf("err = %v, want ErrBadModel", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
