package ort

import (
	"context"
	"reflect"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
)

func TestAdd(t *testing.T) {
	s := load(t, newEngine(t), addGraph([]int64{2, 3}))
	out := run(t, s,
		tensor("a", []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		tensor("b", []int64{2, 3}, []float32{10, 20, 30, 0.5, -5, -7}))
	wantFloats(t, out[0], []int64{2, 3}, []float32{11, 22, 33, 4.5, 0, -1})
}

// TestConv checks a 3x3 convolution with padding 1 over the image 1..9. The kernel is all
// ones plus 9 more at its top-left corner, so each output is the sum of the 3x3
// neighbourhood, plus 9 times the pixel up and to the left, plus the bias 0.5.
func TestConv(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("x", onnx.Float, []int64{1, 1, 3, 3})
		g.FloatInit("w", []int64{1, 1, 3, 3}, []float32{10, 1, 1, 1, 1, 1, 1, 1, 1})
		g.FloatInit("b", []int64{1}, []float32{0.5})
		g.Node("Conv", []string{"x", "w", "b"}, []string{"y"},
			onnx.AttrInts("kernel_shape", []int64{3, 3}),
			onnx.AttrInts("pads", []int64{1, 1, 1, 1}),
			onnx.AttrInts("strides", []int64{1, 1}),
			onnx.AttrInt("group", 1))
		g.Output("y", onnx.Float, []int64{1, 1, 3, 3})
	})
	out := run(t, s, tensor("x", []int64{1, 1, 3, 3}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}))
	wantFloats(t, out[0], []int64{1, 1, 3, 3}, []float32{
		12 + 0.5, 21 + 0.5, 16 + 0.5,
		27 + 0.5, 45 + 9*1 + 0.5, 33 + 9*2 + 0.5,
		24 + 0.5, 39 + 9*4 + 0.5, 28 + 9*5 + 0.5,
	})
}

// TestDequantizeLinear checks y = (q - 128) * 0.5 with scalar uint8 and float initializers,
// and y0 = q * 0.5 with the optional zero point omitted.
func TestDequantizeLinear(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("q", onnx.Uint8, []int64{4})
		g.FloatInit("scale", []int64{}, []float32{0.5})
		g.Initializer("zero", onnx.Uint8, []int64{}, []byte{128})
		g.Node("DequantizeLinear", []string{"q", "scale", "zero"}, []string{"y"})
		g.Node("DequantizeLinear", []string{"q", "scale", ""}, []string{"y0"})
		g.Output("y", onnx.Float, []int64{4})
		g.Output("y0", onnx.Float, []int64{4})
	})
	out := run(t, s, tensor("q", []int64{4}, []uint8{0, 128, 130, 255}))
	wantFloats(t, out[0], []int64{4}, []float32{-64, 0, 1, 63.5})
	wantFloats(t, out[1], []int64{4}, []float32{0, 64, 65, 127.5})
}

// TestAttributes reads float, float-list and string attributes through real operators:
// Constant(value_floats) + x, then LeakyRelu(alpha 0.25), and a DepthToSpace whose "CRD"
// mode orders channels differently from the default "DCR".
func TestAttributes(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("x", onnx.Float, []int64{2})
		g.Input("c", onnx.Float, []int64{1, 8, 1, 1})
		g.Node("Constant", nil, []string{"k"}, onnx.AttrFloats("value_floats", []float32{1.5, -4}))
		g.Node("Add", []string{"x", "k"}, []string{"sum"})
		g.Node("LeakyRelu", []string{"sum"}, []string{"leaky"}, onnx.AttrFloat("alpha", 0.25))
		g.Node("DepthToSpace", []string{"c"}, []string{"space"}, onnx.AttrInt("blocksize", 2), onnx.AttrString("mode", "CRD"))
		g.Output("leaky", onnx.Float, []int64{2})
		g.Output("space", onnx.Float, nil)
	})
	out := run(t, s,
		tensor("x", []int64{2}, []float32{0.5, 2}),
		tensor("c", []int64{1, 8, 1, 1}, []float32{0, 1, 2, 3, 4, 5, 6, 7}))
	wantFloats(t, out[0], []int64{2}, []float32{2, -0.5})
	wantFloats(t, out[1], []int64{1, 2, 2, 2}, []float32{0, 1, 2, 3, 4, 5, 6, 7})
}

// TestDynamicShapes runs a model with a symbolic batch: ONNX Runtime infers the output
// shape the model leaves open, a nil output gets a buffer of the run's shape, and a
// caller's buffer is filled in place.
func TestDynamicShapes(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("x", onnx.Int32, []int64{-1, 2})
		g.Node("Neg", []string{"x"}, []string{"y"})
		g.Output("y", onnx.Int32, nil)
	})
	wantIn := []inference.TensorInfo{{Name: "x", DType: inference.Int32, Shape: []int64{-1, 2}}}
	wantOut := []inference.TensorInfo{{Name: "y", DType: inference.Int32, Shape: []int64{-1, 2}}}
	if !reflect.DeepEqual(s.Inputs(), wantIn) || !reflect.DeepEqual(s.Outputs(), wantOut) {
		t.Fatalf("Inputs %v, Outputs %v; want %v, %v", s.Inputs(), s.Outputs(), wantIn, wantOut)
	}
	s.Inputs()[0].Shape[0] = 7 // callers get copies
	if s.Inputs()[0].Shape[0] != -1 {
		t.Fatal("Inputs returned the session's own shape slice")
	}

	x := tensor("x", []int64{3, 2}, []int32{1, -2, 3, -4, 5, -6})
	outs := []inference.Tensor{{}}
	if err := s.Run(context.Background(), []inference.Tensor{x}, outs); err != nil {
		t.Fatal(err)
	}
	want := tensor("y", []int64{3, 2}, []int32{-1, 2, -3, 4, -5, 6})
	if !reflect.DeepEqual(outs[0], want) {
		t.Errorf("allocated output %+v, want %+v", outs[0], want)
	}

	buf := make([]int32, 2)
	outs = []inference.Tensor{tensor("y", []int64{1, 2}, buf)}
	x = tensor("x", []int64{1, 2}, []int32{7, -8})
	if err := s.Run(context.Background(), []inference.Tensor{x}, outs); err != nil {
		t.Fatal(err)
	}
	if buf[0] != -7 || buf[1] != 8 || &outs[0].Data.([]int32)[0] != &buf[0] {
		t.Errorf("caller's buffer holds %v, want [-7 8] in place", buf)
	}
}
