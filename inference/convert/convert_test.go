package convert

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/tflite"
	"github.com/visiond/visiond/internal/testmodels"
)

// parse encodes and parses m.
func parse(t *testing.T, m *tfModel) *tflite.Model {
	t.Helper()
	parsed, err := tflite.Parse(m.bytes())
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

func TestConvertUnsupported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ops   []tflite.BuiltinOp
		names string // as listed in the error
	}{
		{"TRANSPOSE", []tflite.BuiltinOp{tflite.Transpose}, "TRANSPOSE"},
		{"each name once, sorted", []tflite.BuiltinOp{tflite.Transpose, tflite.Relu, tflite.Exp, tflite.Transpose}, "EXP, TRANSPOSE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tfModel{}
			x := m.input("x", f32(1, 2, 3))
			arg := m.constant("perm", spec{typ: tflite.Int32, shape: []int32{3}}, int32s(0, 2, 1))
			for k, op := range tc.ops {
				y := m.tensor("t"+string(rune('a'+k)), f32(1, 2, 3))
				opts := tfOptions{}
				if op == tflite.Transpose {
					opts = emptyOpts(optTranspose)
				}
				m.op(op, opts, []int32{x, arg}, y)
				x = y
			}
			m.output(x)
			for _, mode := range []Mode{Float, QDQ} {
				_, err := Convert(parse(t, m), mode)
				if !errors.Is(err, inference.ErrUnsupported) || !strings.HasSuffix(err.Error(), ": "+tc.names) {
					t.Errorf("%v mode: error %v, want ErrUnsupported naming %s", mode, err, tc.names)
				}
			}
		})
	}
}

// customModel is a model whose LOGISTIC output "scores" and constant "anchors" (uint8,
// scale 0.5, zero point 2: q 2 4 6 10 -> 0 1 2 4) feed a custom operator, with an omitted
// third input.
func customModel() *tfModel {
	m := &tfModel{}
	x := m.input("x", f32(1, 4))
	scores := m.tensor("scores", f32(1, 4))
	m.op(tflite.Logistic, tfOptions{}, []int32{x}, scores)
	anchors := m.constant("anchors", quantized(tflite.Uint8, 0.5, 2, 2, 2), []byte{2, 4, 6, 10})
	boxes := m.tensor("boxes", f32(1, 2))
	m.ops = append(m.ops, tfOp{
		code: tflite.Custom, custom: "TFLite_Detection_PostProcess", customOpts: []byte{1, 2, 3},
		inputs: []int32{scores, anchors, -1}, outputs: []int32{boxes},
	})
	m.output(boxes)
	return m
}

func TestCustomOps(t *testing.T) {
	parsed := parse(t, customModel())
	got, err := CustomOps(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("CustomOps = %+v, want one operator", got)
	}
	op := got[0]
	if op.Code != "TFLite_Detection_PostProcess" || !slices.Equal(op.Options, []byte{1, 2, 3}) || len(op.Inputs) != 3 {
		t.Fatalf("custom operator %+v", op)
	}
	if in := op.Inputs[0]; in.Output != "scores" || in.Const != nil || !slices.Equal(in.Shape, []int64{1, 4}) {
		t.Errorf("input 0 = %+v, want the graph output scores [1 4]", in)
	}
	if in := op.Inputs[1]; in.Output != "" || !slices.Equal(in.Const, []float32{0, 1, 2, 4}) || !slices.Equal(in.Shape, []int64{2, 2}) {
		t.Errorf("input 1 = %+v, want the constant [0 1 2 4] of shape [2 2]", in)
	}
	if in := op.Inputs[2]; in.Output != "" || in.Const != nil || in.Shape != nil {
		t.Errorf("input 2 = %+v, want an empty input for the omitted tensor", in)
	}

	// The converted graph computes the custom operator's computed input, and only that:
	// sigmoid of 0, ln 3, -ln 3, 2.
	e := testmodels.Engine(t)
	for _, mode := range []Mode{Float, QDQ} {
		model, err := Convert(parsed, mode)
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.Load(model, inference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		outs := s.Outputs()
		if len(outs) != 1 || outs[0].Name != "scores" {
			t.Errorf("%v mode: outputs %+v, want only scores", mode, outs)
		}
		in := []inference.Tensor{{TensorInfo: s.Inputs()[0], Data: []float32{0, ln3, -ln3, 2}}}
		out := make([]inference.Tensor, len(outs))
		if err := s.Run(context.Background(), in, out); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, out[0], []int64{1, 4}, []float32{0.5, 0.75, 0.25, 0.8807970779778823})
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestCustomOutputUsedByBuiltin(t *testing.T) {
	m := customModel()
	y := m.tensor("y", f32(1, 2))
	m.op(tflite.Relu, tfOptions{}, []int32{m.outputs[0]}, y)
	m.outputs = []int32{y}
	_, err := Convert(parse(t, m), Float)
	if !errors.Is(err, inference.ErrUnsupported) || !strings.Contains(err.Error(), "TFLite_Detection_PostProcess") {
		t.Errorf("error %v, want ErrUnsupported naming the custom operator", err)
	}
}

// TestMalformedOperators checks that operators without the tensors they need are reported
// as bad models: a hostile file must not crash the daemon.
func TestMalformedOperators(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(m *tfModel, x int32)
	}{
		{"RELU without inputs", func(m *tfModel, x int32) {
			m.op(tflite.Relu, tfOptions{}, nil, m.tensor("y", f32(1, 2, 2, 1)))
		}},
		{"ADD with one input", func(m *tfModel, x int32) {
			m.op(tflite.Add, actOpts(optAdd, tflite.ActNone), []int32{x}, m.tensor("y", f32(1, 2, 2, 1)))
		}},
		{"AVERAGE_POOL_2D with an omitted input", func(m *tfModel, x int32) {
			m.op(tflite.AveragePool2D, poolOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{-1}, m.tensor("y", f32(1, 2, 2, 1)))
		}},
		{"CONV_2D with an omitted input", func(m *tfModel, x int32) {
			w := m.constant("w", f32(1, 1, 1, 1), floats(1))
			m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{-1, w}, m.tensor("y", f32(1, 2, 2, 1)))
		}},
		{"RESHAPE without outputs", func(m *tfModel, x int32) {
			m.op(tflite.Reshape, reshapeOpts(1, 4), []int32{x})
		}},
		{"CONCATENATION without outputs", func(m *tfModel, x int32) {
			m.op(tflite.Concatenation, concatOpts(3, tflite.ActNone), []int32{x, x})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tfModel{}
			x := m.input("x", f32(1, 2, 2, 1))
			tc.build(m, x)
			m.output(x)
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("Convert panics: %v", p)
					}
				}()
				_, err = Convert(parse(t, m), Float)
			}()
			if !errors.Is(err, inference.ErrBadModel) {
				t.Errorf("error %v, want ErrBadModel", err)
			}
		})
	}
}

// TestOperatorErrors checks that operator attributes and inputs the converter cannot handle
// are errors of the right kind that name the operator, never panics.
func TestOperatorErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(m *tfModel, x int32) // x is a [1,2,2,1] float32 graph input
		want  error
		op    string
	}{
		{"RESIZE_BILINEAR with align_corners and half_pixel_centers", func(m *tfModel, x int32) {
			s := m.constant("size", i32(2), int32s(4, 4))
			m.op(tflite.ResizeBilinear, resizeOpts(true, true), []int32{x, s}, m.tensor("y", f32(1, 4, 4, 1)))
		}, inference.ErrUnsupported, "RESIZE_BILINEAR"},
		{"RESIZE_BILINEAR to a computed size", func(m *tfModel, x int32) {
			s := m.input("size", i32(2))
			m.op(tflite.ResizeBilinear, resizeOpts(false, false), []int32{x, s}, m.tensor("y", f32(1, 4, 4, 1)))
		}, inference.ErrUnsupported, "RESIZE_BILINEAR"},
		{"MEAN over a computed axis", func(m *tfModel, x int32) {
			axis := m.input("axis", i32(1))
			m.op(tflite.Mean, reducerOpts(false), []int32{x, axis}, m.tensor("y", f32(1, 2, 2)))
		}, inference.ErrUnsupported, "MEAN"},
		{"MEAN over axis 4 of a 4-D tensor", func(m *tfModel, x int32) {
			axis := m.constant("axis", i32(1), int32s(4))
			m.op(tflite.Mean, reducerOpts(false), []int32{x, axis}, m.tensor("y", f32(1, 2, 2)))
		}, inference.ErrBadModel, "MEAN"},
		{"ARG_MAX with float32 indices", func(m *tfModel, x int32) {
			axis := m.constant("axis", i32(), int32s(3))
			m.op(tflite.ArgMax, argMaxOpts(tflite.Float32), []int32{x, axis}, m.tensor("y", f32(1, 2, 2)))
		}, inference.ErrUnsupported, "ARG_MAX"},
		{"ARG_MAX without an axis", func(m *tfModel, x int32) {
			m.op(tflite.ArgMax, argMaxOpts(tflite.Int32), []int32{x}, m.tensor("y", i32(1, 2, 2)))
		}, inference.ErrBadModel, "ARG_MAX"},
		{"CAST of a quantised tensor", func(m *tfModel, x int32) {
			q := m.input("q", quantized(tflite.Uint8, 0.5, 0, 1, 2))
			m.op(tflite.Cast, tfOptions{}, []int32{q}, m.tensor("y", f32(1, 2)))
		}, inference.ErrUnsupported, "CAST"},
		{"PACK of two inputs counting three", func(m *tfModel, x int32) {
			m.op(tflite.Pack, countAxisOpts(optPack, 3, 0), []int32{x, x}, m.tensor("y", f32(2, 1, 2, 2, 1)))
		}, inference.ErrBadModel, "PACK"},
		{"UNPACK into more values than the axis holds", func(m *tfModel, x int32) {
			ys := []int32{m.tensor("a", f32(1, 2, 1)), m.tensor("b", f32(1, 2, 1)), m.tensor("c", f32(1, 2, 1))}
			m.op(tflite.Unpack, countAxisOpts(optUnpack, 3, 1), []int32{x}, ys...)
		}, inference.ErrBadModel, "UNPACK"},
		{"UNPACK along axis -5", func(m *tfModel, x int32) {
			m.op(tflite.Unpack, countAxisOpts(optUnpack, 1, -5), []int32{x}, m.tensor("a", f32(2, 2, 1)))
		}, inference.ErrBadModel, "UNPACK"},
		{"GATHER_ND without indices", func(m *tfModel, x int32) {
			m.op(tflite.GatherND, emptyOpts(optGatherNd), []int32{x}, m.tensor("y", f32(2)))
		}, inference.ErrBadModel, "GATHER_ND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tfModel{}
			x := m.input("x", f32(1, 2, 2, 1))
			tc.build(m, x)
			m.output(x)
			for _, mode := range []Mode{Float, QDQ} {
				var err error
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%v mode: Convert panics: %v", mode, p)
						}
					}()
					_, err = Convert(parse(t, m), mode)
				}()
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.op) {
					t.Errorf("%v mode: error %v, want %v naming %s", mode, err, tc.want, tc.op)
				}
			}
		})
	}
}

// FuzzConvert converts arbitrary TFLite files in both modes: the converter may reject them,
// never panic. The corpus is seeded with the models of the operator cases.
func FuzzConvert(f *testing.F) {
	for _, cases := range allCases {
		for _, tc := range cases {
			m := &tfModel{}
			tc.build(m)
			f.Add(m.bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := tflite.Parse(data)
		if err != nil {
			return
		}
		for _, mode := range []Mode{Float, QDQ} {
			Convert(m, mode)
			CustomOps(m)
		}
	})
}
