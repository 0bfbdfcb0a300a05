package convert

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/inference/tflite"
	"github.com/visiond/visiond/internal/testmodels"
)

// The operator tests build a tiny TFLite model, convert it in both modes, run it with ONNX
// Runtime and compare with outputs worked out by hand in the comments. Inputs and outputs
// are in TFLite's NHWC order; "pixel (h,w) = (c0, c1)" lists a pixel's channels.

// opCase is one converter check: a model, its inputs and the outputs worked out by hand.
type opCase struct {
	name  string
	build func(m *tfModel)
	in    []any       // one []float32, []uint8, []int8 or []int32 per graph input
	want  [][]float32 // one per graph output, in every mode
	qdq   [][]float32 // outputs in QDQ mode, when they differ from want
}

// Natural logarithms used to get exact sigmoid, tanh and softmax values.
const (
	ln2 = 0.6931471805599453
	ln3 = 1.0986122886681098
)

// conv1x1 adds a 1x1 CONV_2D without bias from x to a new tensor named name of spec out.
// weights lists, for each output channel, its weight for each input channel.
func conv1x1(m *tfModel, x int32, name string, out spec, weights ...float32) int32 {
	in, oc := m.tensors[x].shape[3], out.shape[3]
	w := m.constant(name+"_weights", f32(oc, 1, 1, in), floats(weights...))
	y := m.tensor(name, out)
	m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, -1}, y)
	return y
}

var conv2DCases = []opCase{{
	// x = 1 2 3   w = 1 2   bias 0.5. SAME with stride 2 gives a 2x2 output; the total
	//     4 5 6       3 4   padding per axis is (2-1)*2+2-3 = 1, all of it at the bottom
	//     7 8 9                  and right, as in TensorFlow:
	// (0,0): 1*1+2*2+4*3+5*4 = 37   (0,1): 3*1+0*2+6*3+0*4 = 21
	// (1,0): 7*1+8*2+0*3+0*4 = 23   (1,1): 9*1 = 9             (+0.5 each)
	name: "SAME stride 2 pads bottom and right",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3, 3, 1))
		w := m.constant("w", f32(1, 2, 2, 1), floats(1, 2, 3, 4))
		b := m.constant("b", f32(1), floats(0.5))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.Conv2D, convOpts(tflite.Same, 2, 2, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
	want: [][]float32{{37.5, 21.5, 23.5, 9.5}},
}, {
	// Weights are [O,KH,KW,I]; flat index kh*4 + kw*2 + i within an output channel.
	// x: pixel (0,0)=(1,2) (0,1)=(3,4) (1,0)=(5,6) (1,1)=(7,8).
	// out0: all ones -> 1+...+8 = 36.
	// out1: index 1 = (kh0,kw0,i1) weight 1 -> 2; index 4 = (kh1,kw0,i0) weight 3 -> 3*5 = 15;
	// total 17 (reading the weights as [O,I,KH,KW] would give 1*3 + 3*2 = 9).
	name: "two input and two output channels without bias",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 2, 2))
		w := m.constant("w", f32(2, 2, 2, 2), floats(1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 3, 0, 0, 0))
		y := m.tensor("y", f32(1, 1, 1, 2))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, -1}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6, 7, 8}},
	want: [][]float32{{36, 17}},
}, {
	// 1x1 kernel 2: [-2, 0.25, 2.5, 9] -> [-4, 0.5, 5, 18]; fused RELU6 -> [0, 0.5, 5, 6].
	name: "fused RELU6",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 4, 1))
		w := m.constant("w", f32(1, 1, 1, 1), floats(2))
		b := m.constant("b", f32(1), floats(0))
		y := m.tensor("y", f32(1, 1, 4, 1))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActRelu6), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{-2, 0.25, 2.5, 9}},
	want: [][]float32{{0, 0.5, 5, 6}},
}, {
	// Stride 1 down, 2 across, 1x1 kernel 1: keeps columns 0 and 2 of x = 1 2 3 4
	//                                                                 5 6 7 8.
	name: "stride 1 by 2",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 4, 1))
		w := m.constant("w", f32(1, 1, 1, 1), floats(1))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 2, tflite.ActNone), []int32{x, w, -1}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6, 7, 8}},
	want: [][]float32{{1, 3, 5, 7}},
}, {
	// Dilation 2 spreads the 2x2 kernel [1 2; 3 4] over the corners of the 3x3 input 1..9:
	// 1*1 + 2*3 + 3*7 + 4*9 = 64.
	name: "dilation 2",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3, 3, 1))
		w := m.constant("w", f32(1, 2, 2, 1), floats(1, 2, 3, 4))
		y := m.tensor("y", f32(1, 1, 1, 1))
		m.op(tflite.Conv2D, dilatedConvOpts(tflite.Valid, 2, 2), []int32{x, w, -1}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
	want: [][]float32{{64}},
}}

var depthwiseCases = []opCase{{
	// x: channel 0 = [1 2; 3 4], channel 1 = [10 20; 30 40]. With depth multiplier 2, output
	// channel c*2+m reads input channel c. Weights [1,2,2,4], per kernel position (o0..o3):
	// (0,0): 1 0 1 0   (0,1): 0 0 1 0.5   (1,0): 0 0 1 0   (1,1): 0 1 1 0
	// o0 = 1 (x(0,0) of c0)   o1 = 4 (x(1,1) of c0)   o2 = 10+20+30+40 = 100 (c1)
	// o3 = 0.5*20 = 10 (x(0,1) of c1); bias [0.5 0 0 -1] -> [1.5 4 100 9].
	name: "depth multiplier 2",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 2, 2))
		w := m.constant("w", f32(1, 2, 2, 4), floats(1, 0, 1, 0, 0, 0, 1, 0.5, 0, 0, 1, 0, 0, 1, 1, 0))
		b := m.constant("b", f32(4), floats(0.5, 0, 0, -1))
		y := m.tensor("y", f32(1, 1, 1, 4))
		m.op(tflite.DepthwiseConv2D, depthwiseOpts(tflite.Valid, 1, 2, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 10, 2, 20, 3, 30, 4, 40}},
	want: [][]float32{{1.5, 4, 100, 9}},
}, {
	// x = [1 2; 3 4], kernel [1 2; 3 4], SAME stride 1 pads one row/column bottom/right:
	// (0,0): 1+4+9+16 = 30   (0,1): 2*1+4*3 = 14   (1,0): 3*1+4*2 = 11   (1,1): 4*1 = 4
	// bias -12 and fused RELU -> [18 2 0 0].
	name: "SAME stride 1 with fused RELU",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 2, 1))
		w := m.constant("w", f32(1, 2, 2, 1), floats(1, 2, 3, 4))
		b := m.constant("b", f32(1), floats(-12))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.DepthwiseConv2D, depthwiseOpts(tflite.Same, 1, 1, tflite.ActRelu), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{18, 2, 0, 0}},
}}

var poolCases = []opCase{{
	// Channel 0 = 1..9 (3x3), channel 1 = 10 times it. 2x2 filter, stride 1, SAME: one row
	// and column of padding at the bottom/right; the mean counts only real pixels:
	// (0,0) 1,2,4,5 -> 3   (0,1) 2,3,5,6 -> 4   (0,2) 3,6 -> 4.5
	// (1,0) 4,5,7,8 -> 6   (1,1) 5,6,8,9 -> 7   (1,2) 6,9 -> 7.5
	// (2,0) 7,8 -> 7.5     (2,1) 8,9 -> 8.5     (2,2) 9 -> 9
	name: "AVERAGE_POOL_2D SAME divides by the real pixels",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3, 3, 2))
		y := m.tensor("y", f32(1, 3, 3, 2))
		m.op(tflite.AveragePool2D, poolOpts(tflite.Same, 1, 2, tflite.ActNone), []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80, 9, 90}},
	want: [][]float32{{3, 30, 4, 40, 4.5, 45, 6, 60, 7, 70, 7.5, 75, 7.5, 75, 8.5, 85, 9, 90}},
}, {
	// x =  1  5  2  0   2x2 blocks, stride 2: max 5, 8, 0, 7; fused RELU6 -> 5, 6, 0, 6.
	//      3  4  8  1
	//     -1 -2 -3 -4
	//      0 -5  6  7
	name: "MAX_POOL_2D VALID stride 2 with fused RELU6",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 4, 4, 1))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.MaxPool2D, poolOpts(tflite.Valid, 2, 2, tflite.ActRelu6), []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 5, 2, 0, 3, 4, 8, 1, -1, -2, -3, -4, 0, -5, 6, 7}},
	want: [][]float32{{5, 6, 0, 6}},
}, {
	// x = -1..-9 (3x3), 2x2 filter, stride 2, SAME pads bottom/right; padding never wins:
	// (0,0) max(-1,-2,-4,-5) = -1   (0,1) max(-3,-6) = -3   (1,0) max(-7,-8) = -7   (1,1) -9
	name: "MAX_POOL_2D SAME ignores the padding",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3, 3, 1))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.MaxPool2D, poolOpts(tflite.Same, 2, 2, tflite.ActNone), []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{-1, -2, -3, -4, -5, -6, -7, -8, -9}},
	want: [][]float32{{-1, -3, -7, -9}},
}}

// convSwap is the 1x1 convolution of the elementwise and activation cases: out0 = in1,
// out1 = 10*in0, so x pixels (1,2),(3,4) become (2,10),(4,30).
func convSwap(m *tfModel) int32 {
	x := m.input("x", f32(1, 1, 2, 2))
	return conv1x1(m, x, "conv", f32(1, 1, 2, 2), 0, 1, 10, 0)
}

var elementwiseCases = []opCase{{
	// [1 -2 3 -4] + [0.5 0.5 -4 5] = [1.5 -1.5 -1 1]; fused RELU -> [1.5 0 0 1].
	name: "ADD with fused RELU",
	build: func(m *tfModel) {
		a := m.input("a", f32(1, 2, 2, 1))
		b := m.input("b", f32(1, 2, 2, 1))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.Add, actOpts(optAdd, tflite.ActRelu), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, -2, 3, -4}, []float32{0.5, 0.5, -4, 5}},
	want: [][]float32{{1.5, 0, 0, 1}},
}, {
	// Conv output held as NCHW plus an NHWC graph input: (2,10),(4,30) + (0.5,0.25),(0.125,1).
	name: "ADD of a convolution and a graph input",
	build: func(m *tfModel) {
		c := convSwap(m)
		b := m.input("b", f32(1, 1, 2, 2))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Add, actOpts(optAdd, tflite.ActNone), []int32{c, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}, []float32{0.5, 0.25, 0.125, 1}},
	want: [][]float32{{2.5, 10.25, 4.125, 31}},
}, {
	// Pixels (1,2),(3,4) minus the per-channel constant [10 20]: (-9,-18),(-7,-16).
	name: "SUB of a per-channel constant",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 2))
		c := m.constant("c", f32(2), floats(10, 20))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Sub, actOpts(optSub, tflite.ActNone), []int32{x, c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{-9, -18, -7, -16}},
}, {
	// A graph input minus a convolution, to check the operand order: (1,1),(1,1) - (2,10),(4,30).
	name: "SUB of a convolution from a graph input",
	build: func(m *tfModel) {
		c := convSwap(m)
		a := m.input("a", f32(1, 1, 2, 2))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Sub, actOpts(optSub, tflite.ActNone), []int32{a, c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}, []float32{1, 1, 1, 1}},
	want: [][]float32{{-1, -9, -3, -29}},
}, {
	// [1 2 3] * [4 -5 0.5] = [4 -10 1.5].
	name: "MUL of two graph inputs",
	build: func(m *tfModel) {
		a := m.input("a", f32(1, 3))
		b := m.input("b", f32(1, 3))
		y := m.tensor("y", f32(1, 3))
		m.op(tflite.Mul, actOpts(optMul, tflite.ActNone), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3}, []float32{4, -5, 0.5}},
	want: [][]float32{{4, -10, 1.5}},
}, {
	// A convolution (held as NCHW) times a scalar constant of shape []: (2,10),(4,30) * 0.5.
	name: "MUL of a convolution by a scalar",
	build: func(m *tfModel) {
		c := convSwap(m)
		s := m.constant("half", f32(), floats(0.5))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Mul, actOpts(optMul, tflite.ActNone), []int32{c, s}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{1, 5, 2, 15}},
}, {
	// [1 2 6 -8] / [2 4 3 2] = [0.5 0.5 2 -4].
	name: "DIV of two graph inputs",
	build: func(m *tfModel) {
		a := m.input("a", f32(1, 4))
		b := m.input("b", f32(1, 4))
		y := m.tensor("y", f32(1, 4))
		m.op(tflite.Div, actOpts(optDiv, tflite.ActNone), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 6, -8}, []float32{2, 4, 3, 2}},
	want: [][]float32{{0.5, 0.5, 2, -4}},
}, {
	// A convolution divided by a one-element constant of shape [1]: (2,10),(4,30) / 4.
	name: "DIV of a convolution by a one-element constant",
	build: func(m *tfModel) {
		c := convSwap(m)
		s := m.constant("four", f32(1), floats(4))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Div, actOpts(optDiv, tflite.ActNone), []int32{c, s}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{0.5, 2.5, 1, 7.5}},
}, {
	// The convolution's (2,10),(4,30), held as NCHW, plus the per-channel constant [100 200],
	// which is permuted along: (102,210),(104,230).
	name: "ADD of a per-channel constant to a convolution",
	build: func(m *tfModel) {
		c := convSwap(m)
		k := m.constant("k", f32(2), floats(100, 200))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Add, actOpts(optAdd, tflite.ActNone), []int32{c, k}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{102, 210, 104, 230}},
}, {
	// A per-channel int8 constant quantised along its only axis, scales 1 and 2: q 3, 5 -> 3, 10.
	// (2,10),(4,30) - (3,10) = (-1,0),(1,20); in QDQ mode the constant's channel axis moves to
	// axis 1 of the NCHW copy.
	name: "SUB of a per-channel quantised constant from a convolution",
	build: func(m *tfModel) {
		c := convSwap(m)
		k := m.constant("k", perChannel(tflite.Int8, 0, []float32{1, 2}, 2), int8s(3, 5))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Sub, actOpts(optSub, tflite.ActNone), []int32{c, k}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{-1, 0, 1, 20}},
}, {
	// int32: 7/2 = 3.5 -> 3, -7/2 = -3.5 -> -4, 6/3 = 2, -1/4 = -0.25 -> -1 (floor, not truncation).
	name: "FLOOR_DIV of int32 graph inputs rounds down",
	build: func(m *tfModel) {
		a := m.input("a", i32(1, 4))
		b := m.input("b", i32(1, 4))
		y := m.tensor("y", i32(1, 4))
		m.op(tflite.FloorDiv, emptyOpts(optFloorDiv), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]int32{7, -7, 6, -1}, []int32{2, 2, 3, 4}},
	want: [][]float32{{3, -4, 2, -1}},
}, {
	// [2.5 -2.5 48 95] / 2 = [1.25 -1.25 24 47.5], floored: [1 -2 24 47].
	name: "FLOOR_DIV of a float graph input by a scalar constant",
	build: func(m *tfModel) {
		a := m.input("a", f32(1, 4))
		two := m.constant("two", f32(), floats(2))
		y := m.tensor("y", f32(1, 4))
		m.op(tflite.FloorDiv, emptyOpts(optFloorDiv), []int32{a, two}, y)
		m.output(y)
	},
	in:   []any{[]float32{2.5, -2.5, 48, 95}},
	want: [][]float32{{1, -2, 24, 47}},
}, {
	// An identity convolution holds pixels (1,-2),(-3,4) as NCHW. The slopes are float16
	// constants [1,1,2] = 0.5, 0.25 (0x3800, 0x3400) through DEQUANTIZE, as in the palm
	// detector: channel 0 negatives times 0.5, channel 1 times 0.25: (1,-0.5),(-1.5,4).
	// Broadcast wrongly along the width, -2 would get 0.5 instead.
	name: "PRELU of a convolution with float16 per-channel slopes",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 2))
		c := conv1x1(m, x, "conv", f32(1, 1, 2, 2), 1, 0, 0, 1)
		h := m.constant("alpha_f16", f16(1, 1, 2), halves(0x3800, 0x3400))
		alpha := m.tensor("alpha", f32(1, 1, 2))
		m.op(tflite.Dequantize, tfOptions{}, []int32{h}, alpha)
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Prelu, tfOptions{}, []int32{c, alpha}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, -2, -3, 4}},
	want: [][]float32{{1, -0.5, -1.5, 4}},
}, {
	// [1,2,2] graph input [-1 2; -4 8], slopes [0.5 0.25] along the last axis: [-0.5 2; -2 8].
	name: "PRELU of a graph input",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 2))
		alpha := m.constant("alpha", f32(2), floats(0.5, 0.25))
		y := m.tensor("y", f32(1, 2, 2))
		m.op(tflite.Prelu, tfOptions{}, []int32{x, alpha}, y)
		m.output(y)
	},
	in:   []any{[]float32{-1, 2, -4, 8}},
	want: [][]float32{{-0.5, 2, -2, 8}},
}}

// unaryCase is a model applying op to a [1,1,2,2] graph input.
func unaryCase(op tflite.BuiltinOp) func(m *tfModel) {
	return func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 2))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(op, tfOptions{}, []int32{x}, y)
		m.output(y)
	}
}

var activationCases = []opCase{{
	name:  "SQRT",
	build: unaryCase(tflite.Sqrt),
	in:    []any{[]float32{0, 0.25, 4, 2.25}},
	want:  [][]float32{{0, 0.5, 2, 1.5}},
}, {
	// sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4, sigmoid(2) = 1/(1+e^-2).
	name:  "LOGISTIC",
	build: unaryCase(tflite.Logistic),
	in:    []any{[]float32{0, ln3, -ln3, 2}},
	want:  [][]float32{{0.5, 0.75, 0.25, 0.8807970779778823}},
}, {
	// tanh(ln 2) = (2-1/2)/(2+1/2) = 0.6, tanh(ln 3) = (3-1/3)/(3+1/3) = 0.8.
	name:  "TANH",
	build: unaryCase(tflite.Tanh),
	in:    []any{[]float32{0, ln2, -ln2, ln3}},
	want:  [][]float32{{0, 0.6, -0.6, 0.8}},
}, {
	name:  "RELU",
	build: unaryCase(tflite.Relu),
	in:    []any{[]float32{-1, 0, 2.5, -0.1}},
	want:  [][]float32{{0, 0, 2.5, 0}},
}, {
	name:  "RELU6",
	build: unaryCase(tflite.Relu6),
	in:    []any{[]float32{-1, 3, 6.5, 100}},
	want:  [][]float32{{0, 3, 6, 6}},
}, {
	// The convolution's (2,10),(4,30), held as NCHW, clamped in place: (2,6),(4,6).
	name: "RELU6 of a convolution keeps the pixel order",
	build: func(m *tfModel) {
		c := convSwap(m)
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Relu6, tfOptions{}, []int32{c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{2, 6, 4, 6}},
}, {
	// x: uint8, scale 0.5, zero point 128: q 128, 148 -> 0, 10. sigmoid: 0.5, 0.99995.
	// The output (uint8, scale 1/256, zero point 0) holds at most 255/256 = 0.99609375:
	// float mode clamps to it, QDQ mode rounds 255.99 to 256 and saturates at 255.
	name: "quantised LOGISTIC saturates at 255/256",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Uint8, 0.5, 128, 1, 2))
		y := m.tensor("y", quantized(tflite.Uint8, 1.0/256, 0, 1, 2))
		m.op(tflite.Logistic, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]uint8{128, 148}},
	want: [][]float32{{0.5, 0.99609375}},
}}

var concatenationCases = []opCase{{
	// x = [1 2] (1x2, one channel). Conv a (weight 3): 3, 6. Conv b (weights 1, -1):
	// (1,-1), (2,-2). Concatenated along the channels (axis -1): (3,1,-1), (6,2,-2).
	name: "channels of two convolutions",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 1))
		a := conv1x1(m, x, "a", f32(1, 1, 2, 1), 3)
		b := conv1x1(m, x, "b", f32(1, 1, 2, 2), 1, -1)
		y := m.tensor("y", f32(1, 1, 2, 3))
		m.op(tflite.Concatenation, concatOpts(-1, tflite.ActNone), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{3, 1, -1, 6, 2, -2}},
}, {
	// Conv a of x = [1 2] is 3, 6 (width 2); a graph input 7 (width 1) joins along the
	// width (axis 2): 3, 6, 7.
	name: "a convolution and a graph input along the width",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 1))
		a := conv1x1(m, x, "a", f32(1, 1, 2, 1), 3)
		z := m.input("z", f32(1, 1, 1, 1))
		y := m.tensor("y", f32(1, 1, 3, 1))
		m.op(tflite.Concatenation, concatOpts(2, tflite.ActNone), []int32{a, z}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}, []float32{7}},
	want: [][]float32{{3, 6, 7}},
}, {
	// Pixels 1, 2 of a graph input and 5, 6 of a constant along the channels: (1,5), (2,6).
	name: "a graph input and a constant along the channels",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 1))
		c := m.constant("c", f32(1, 1, 2, 1), floats(5, 6))
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Concatenation, concatOpts(3, tflite.ActNone), []int32{x, c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{1, 5, 2, 6}},
}, {
	// [-1 2] and [-3] along axis 1: [-1 2 -3]; fused RELU -> [0 2 0].
	name: "2-D with fused RELU",
	build: func(m *tfModel) {
		a := m.input("a", f32(1, 2))
		b := m.input("b", f32(1, 1))
		y := m.tensor("y", f32(1, 3))
		m.op(tflite.Concatenation, concatOpts(1, tflite.ActRelu), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{-1, 2}, []float32{-3}},
	want: [][]float32{{0, 2, 0}},
}}

// convSpread is the 1x1 convolution of the reshape, fully connected and PAD cases: one
// input channel to two with weights 1 and 10, so pixel value v becomes (v, 10v).
func convSpread(m *tfModel, shape ...int32) int32 {
	x := m.input("x", f32(shape...))
	out := slices.Clone(shape)
	out[3] = 2
	return conv1x1(m, x, "conv", f32(out...), 1, 10)
}

var reshapeCases = []opCase{{
	// x = [1 2; 3 4] -> pixels (1,10),(2,20),(3,30),(4,40); flattened in NHWC order, not
	// the NCHW order 1 2 3 4 10 20 30 40 the convolution computes in.
	name: "RESHAPE of a convolution keeps the NHWC order",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 2, 1)
		s := m.constant("shape", spec{typ: tflite.Int32, shape: []int32{2}}, int32s(1, 8))
		y := m.tensor("y", f32(1, 8))
		m.op(tflite.Reshape, reshapeOpts(1, 8), []int32{c, s}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{1, 10, 2, 20, 3, 30, 4, 40}},
}, {
	// x [1,2,1,1] = 1, 2 -> conv [1,2,1,2] = (1,10),(2,20); squeezing axis 2 gives [1,2,2].
	name: "SQUEEZE of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 1, 1)
		y := m.tensor("y", f32(1, 2, 2))
		m.op(tflite.Squeeze, squeezeOpts(2), []int32{c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{1, 10, 2, 20}},
}, {
	// The same convolution with a new last axis: [1,2,1,2,1].
	name: "EXPAND_DIMS of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 1, 1)
		axis := m.constant("axis", spec{typ: tflite.Int32}, int32s(4))
		y := m.tensor("y", f32(1, 2, 1, 2, 1))
		m.op(tflite.ExpandDims, emptyOpts(optExpandDims), []int32{c, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{1, 10, 2, 20}},
}}

var softmaxCases = []opCase{{
	// beta 2: exp(2*0) = 1, exp(2 ln 2) = 4, exp(2 ln 3) = 9; sum 14.
	name: "beta 2",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3))
		y := m.tensor("y", f32(1, 3))
		m.op(tflite.Softmax, softmaxOpts(2), []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{0, ln2, ln3}},
	want: [][]float32{{1.0 / 14, 4.0 / 14, 9.0 / 14}},
}, {
	// Conv weights 1, 2 on x = [0 ln2]: pixels (0,0), (ln2, 2 ln2). Softmax over the
	// channels: (1/2, 1/2), (2/6, 4/6).
	name: "over the channels of a convolution",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 2, 1))
		c := conv1x1(m, x, "conv", f32(1, 1, 2, 2), 1, 2)
		y := m.tensor("y", f32(1, 1, 2, 2))
		m.op(tflite.Softmax, softmaxOpts(1), []int32{c}, y)
		m.output(y)
	},
	in:   []any{[]float32{0, ln2}},
	want: [][]float32{{0.5, 0.5, 1.0 / 3, 2.0 / 3}},
}}

var fullyConnectedCases = []opCase{{
	// x = [1 2 3], weights [[1 0 -1] [0.5 0.5 0.5]], bias [1 0]:
	// 1-3+1 = -1 -> RELU 0;  0.5+1+1.5 = 3.
	name: "bias and fused RELU",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 3))
		w := m.constant("w", f32(2, 3), floats(1, 0, -1, 0.5, 0.5, 0.5))
		b := m.constant("b", f32(2), floats(1, 0))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.FullyConnected, actOpts(optFullyConnected, tflite.ActRelu), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3}},
	want: [][]float32{{0, 3}},
}, {
	// x = [1 2] -> conv pixels (1,10),(2,20), flattened in NHWC order [1 10 2 20]. Row 0
	// picks element 1 (10), row 1 element 2 (2); in NCHW order [1 2 10 20] they would be 2, 10.
	name: "flattens a convolution in NHWC order",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 1, 2, 1)
		w := m.constant("w", f32(2, 4), floats(0, 1, 0, 0, 0, 0, 1, 0))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.FullyConnected, actOpts(optFullyConnected, tflite.ActNone), []int32{c, w, -1}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{10, 2}},
}, {
	// [1,1,3] input, output kept 3-D [1,1,2]: [1 2 3]·[1 1 1] = 6, [1 2 3]·[1 -1 0] = -1.
	name: "keeps a 3-D output shape",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 3))
		w := m.constant("w", f32(2, 3), floats(1, 1, 1, 1, -1, 0))
		y := m.tensor("y", f32(1, 1, 2))
		m.op(tflite.FullyConnected, actOpts(optFullyConnected, tflite.ActNone), []int32{x, w, -1}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3}},
	want: [][]float32{{6, -1}},
}}

var padCases = []opCase{{
	// Conv pixels (1,10),(2,20) in one row; one row before, one column after:
	// row 0: (0,0) (0,0) (0,0)   row 1: (1,10) (2,20) (0,0).
	name: "height and width of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 1, 2, 1)
		p := m.constant("paddings", spec{typ: tflite.Int32, shape: []int32{4, 2}}, int32s(0, 0, 1, 0, 0, 1, 0, 0))
		y := m.tensor("y", f32(1, 2, 3, 2))
		m.op(tflite.Pad, emptyOpts(optPad), []int32{c, p}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{0, 0, 0, 0, 0, 0, 1, 10, 2, 20, 0, 0}},
}, {
	// As above, with one channel before as well: row 0 all zeros,
	// row 1: (0,1,10) (0,2,20) (0,0,0).
	name: "channels of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 1, 2, 1)
		p := m.constant("paddings", spec{typ: tflite.Int32, shape: []int32{4, 2}}, int32s(0, 0, 1, 0, 0, 1, 1, 0))
		y := m.tensor("y", f32(1, 2, 3, 3))
		m.op(tflite.Pad, emptyOpts(optPad), []int32{c, p}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 10, 0, 2, 20, 0, 0, 0}},
}, {
	// [3 4] with two zeros before and one after on axis 1 (int64 paddings): [0 0 3 4 0].
	name: "2-D graph input with int64 paddings",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2))
		p := m.constant("paddings", spec{typ: tflite.Int64, shape: []int32{2, 2}}, int64s(0, 0, 2, 1))
		y := m.tensor("y", f32(1, 5))
		m.op(tflite.Pad, emptyOpts(optPad), []int32{x, p}, y)
		m.output(y)
	},
	in:   []any{[]float32{3, 4}},
	want: [][]float32{{0, 0, 3, 4, 0}},
}}

var quantizationCases = []opCase{{
	// uint8, scale 0.5, zero point 128: 0.5*(q-128) for q = 0, 128, 130, 255.
	name: "DEQUANTIZE of a uint8 graph input",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Uint8, 0.5, 128, 1, 4))
		y := m.tensor("y", f32(1, 4))
		m.op(tflite.Dequantize, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]uint8{0, 128, 130, 255}},
	want: [][]float32{{-64, 0, 1, 63.5}},
}, {
	// float16 constant 0x3C00 = 1, 0xC000 = -2, plus [0.5 0.5].
	name: "DEQUANTIZE of a float16 constant",
	build: func(m *tfModel) {
		h := m.constant("h", spec{typ: tflite.Float16, shape: []int32{1, 2}}, halves(0x3C00, 0xC000))
		d := m.tensor("d", f32(1, 2))
		m.op(tflite.Dequantize, tfOptions{}, []int32{h}, d)
		x := m.input("x", f32(1, 2))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.Add, actOpts(optAdd, tflite.ActNone), []int32{x, d}, y)
		m.output(y)
	},
	in:   []any{[]float32{0.5, 0.5}},
	want: [][]float32{{1.5, -1.5}},
}, {
	// uint8, scale 0.5, zero point 10 holds [0.5*(0-10), 0.5*(255-10)] = [-5, 122.5].
	// QDQ: q = round(x/0.5)+10 clamped: 0.2 -> 10 (0), 1 -> 12 (1), -10 -> 0 (-5), 200 -> 255 (122.5).
	// Float mode only clamps: 0.2, 1, -5, 122.5.
	name: "QUANTIZE of a float graph input",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 4))
		y := m.tensor("y", quantized(tflite.Uint8, 0.5, 10, 1, 4))
		m.op(tflite.Quantize, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{0.2, 1, -10, 200}},
	want: [][]float32{{0.2, 1, -5, 122.5}},
	qdq:  [][]float32{{0, 1, -5, 122.5}},
}, {
	// Weights [1,1,1,2] float16 1, -2 (0x3C00, 0xC000) and bias 0.5 (0x3800), both through
	// DEQUANTIZE, which must fold them into constants for the convolution to convert:
	// 3*1 + 4*(-2) + 0.5 = -4.5.
	name: "CONV_2D with float16 weights through DEQUANTIZE",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 1, 2))
		hw := m.constant("w_f16", f16(1, 1, 1, 2), halves(0x3C00, 0xC000))
		w := m.tensor("w", f32(1, 1, 1, 2))
		m.op(tflite.Dequantize, tfOptions{}, []int32{hw}, w)
		hb := m.constant("b_f16", f16(1), halves(0x3800))
		b := m.tensor("b", f32(1))
		m.op(tflite.Dequantize, tfOptions{}, []int32{hb}, b)
		y := m.tensor("y", f32(1, 1, 1, 1))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{3, 4}},
	want: [][]float32{{-4.5}},
}, {
	// A folded DEQUANTIZE may itself be a graph output: int8, scale 0.5, zero point 1:
	// q 1, 3, -1 -> 0, 1, -1. The RELU of x gives the graph its input.
	name: "DEQUANTIZE of an int8 constant as a graph output",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2))
		r := m.tensor("r", f32(1, 2))
		m.op(tflite.Relu, tfOptions{}, []int32{x}, r)
		q := m.constant("q", quantized(tflite.Int8, 0.5, 1, 1, 3), int8s(1, 3, -1))
		d := m.tensor("d", f32(1, 3))
		m.op(tflite.Dequantize, tfOptions{}, []int32{q}, d)
		m.output(r, d)
	},
	in:   []any{[]float32{-1, 2}},
	want: [][]float32{{0, 2}, {0, 1, -1}},
}}

var castCases = []opCase{{
	// A uint8 graph input without quantisation, as MoveNet's image: the values themselves.
	name: "uint8 to float32",
	build: func(m *tfModel) {
		x := m.input("x", spec{typ: tflite.Uint8, shape: []int32{1, 3}})
		y := m.tensor("y", f32(1, 3))
		m.op(tflite.Cast, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]uint8{0, 7, 255}},
	want: [][]float32{{0, 7, 255}},
}, {
	// Truncation toward zero: -1.5 -> -1, 2.7 -> 2, 3 -> 3, -0.2 -> 0.
	name: "float32 to int32 truncates",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 4))
		y := m.tensor("y", i32(1, 4))
		m.op(tflite.Cast, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]float32{-1.5, 2.7, 3, -0.2}},
	want: [][]float32{{-1, 2, 3, 0}},
}, {
	// MoveNet casts int32 indices to float32: the values stay 5, -6.
	name: "int32 to float32",
	build: func(m *tfModel) {
		x := m.input("x", i32(1, 2))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.Cast, tfOptions{}, []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]int32{5, -6}},
	want: [][]float32{{5, -6}},
}}

var reductionCases = []opCase{{
	// The hand landmark model's global average pool: convolution pixels (v,10v) for
	// v = 1 2; 3 6, averaged over height and width (axes 2, 1, -2: repeats count once):
	// (1+2+3+6)/4 = 3 and 30.
	name: "MEAN over height and width of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 2, 1)
		axes := m.constant("axes", i32(3), int32s(2, 1, -2))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.Mean, reducerOpts(false), []int32{c, axes}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 6}},
	want: [][]float32{{3, 30}},
}, {
	// The same pixels averaged over the channels, keeping the axis: 5.5v = 5.5 11; 16.5 33.
	name: "MEAN over the channels of a convolution keeping dimensions",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 2, 1)
		axis := m.constant("axis", i32(), int32s(3))
		y := m.tensor("y", f32(1, 2, 2, 1))
		m.op(tflite.Mean, reducerOpts(true), []int32{c, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 6}},
	want: [][]float32{{5.5, 11, 16.5, 33}},
}, {
	// Over the height only: rows (1,10),(2,20) and (3,30),(6,60) average to (2,20),(4,40), a
	// [1,2,2] result in NHWC order (NCHW order would give 2 4 20 40).
	name: "MEAN over the height of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 2, 1)
		axis := m.constant("axis", i32(1), int32s(1))
		y := m.tensor("y", f32(1, 2, 2))
		m.op(tflite.Mean, reducerOpts(false), []int32{c, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 6}},
	want: [][]float32{{2, 20, 4, 40}},
}, {
	// Rows [1 5 5] and [7 0 7] along axis 2: the first of equal maxima wins, indices 1 and 0.
	name: "ARG_MAX picks the first maximum",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 3))
		axis := m.constant("axis", i32(), int32s(2))
		y := m.tensor("y", i32(1, 2))
		m.op(tflite.ArgMax, argMaxOpts(tflite.Int32), []int32{x, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 5, 5, 7, 0, 7}},
	want: [][]float32{{1, 0}},
}, {
	// An identity convolution holds pixels (5,1),(1,5),(3,3) as NCHW; the channel of the
	// maximum (axis -1, int64 indices) is 0, 1 and 0 (a tie).
	name: "ARG_MAX over the channels of a convolution",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 1, 3, 2))
		c := conv1x1(m, x, "conv", f32(1, 1, 3, 2), 1, 0, 0, 1)
		axis := m.constant("axis", i32(1), int32s(-1))
		y := m.tensor("y", spec{typ: tflite.Int64, shape: []int32{1, 1, 3}})
		m.op(tflite.ArgMax, argMaxOpts(tflite.Int64), []int32{c, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{5, 1, 1, 5, 3, 3}},
	want: [][]float32{{0, 1, 0}},
}, {
	// A one-channel identity convolution of 1 4; 3 2, maximum over the height (axis 1):
	// column 0 -> row 1, column 1 -> row 0.
	name: "ARG_MAX over the height of a convolution",
	build: func(m *tfModel) {
		x := m.input("x", f32(1, 2, 2, 1))
		c := conv1x1(m, x, "conv", f32(1, 2, 2, 1), 1)
		axis := m.constant("axis", i32(), int32s(1))
		y := m.tensor("y", i32(1, 2, 1))
		m.op(tflite.ArgMax, argMaxOpts(tflite.Int32), []int32{c, axis}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 4, 3, 2}},
	want: [][]float32{{1, 0}},
}}

// resizeCase resizes a graph input of the given shape to size with the given options.
func resizeCase(shape []int32, size [2]int32, o tfOptions) func(m *tfModel) {
	return func(m *tfModel) {
		x := m.input("x", f32(shape...))
		s := m.constant("size", i32(2), int32s(size[0], size[1]))
		y := m.tensor("y", f32(shape[0], size[0], size[1], shape[3]))
		m.op(tflite.ResizeBilinear, o, []int32{x, s}, y)
		m.output(y)
	}
}

var resizeCases = []opCase{{
	// Half-pixel centres, 2x2 -> 4x4, as in MoveNet and the palm detector. Per axis the
	// source of output i is (i+0.5)/2 - 0.5 = -0.25 0.25 0.75 1.25, clamped to the image:
	// 0 0.25 0.75 1. Rows [0 4] and [8 12] become [0 1 3 4] and [8 9 11 12]; between them
	// the rows are 0, 1/4, 3/4 and all of the way: +0 +2 +6 +8.
	name:  "half_pixel_centers 2x upsampling",
	build: resizeCase([]int32{1, 2, 2, 1}, [2]int32{4, 4}, resizeOpts(false, true)),
	in:    []any{[]float32{0, 4, 8, 12}},
	want:  [][]float32{{0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12}},
}, {
	// Neither flag: source i*2/4 = 0 0.5 1 1.5; 1.5 lies past the last pixel, which it
	// repeats. Convolution pixels (0,0),(4,40), held as NCHW: (0,0),(2,20),(4,40),(4,40).
	name: "asymmetric resize of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 1, 2, 1)
		s := m.constant("size", i32(2), int32s(1, 4))
		y := m.tensor("y", f32(1, 1, 4, 2))
		m.op(tflite.ResizeBilinear, resizeOpts(false, false), []int32{c, s}, y)
		m.output(y)
	},
	in:   []any{[]float32{0, 4}},
	want: [][]float32{{0, 0, 2, 20, 4, 40, 4, 40}},
}, {
	// align_corners, 2x2 -> 3x3: source i*(2-1)/(3-1) = 0 0.5 1 per axis, so 0 2; 4 6 gains
	// the midpoints: 0 1 2; 2 3 4; 4 5 6.
	name:  "align_corners",
	build: resizeCase([]int32{1, 2, 2, 1}, [2]int32{3, 3}, resizeOpts(true, false)),
	in:    []any{[]float32{0, 2, 4, 6}},
	want:  [][]float32{{0, 1, 2, 2, 3, 4, 4, 5, 6}},
}, {
	// Half-pixel centres down to one pixel: the source is (0+0.5)*2 - 0.5 = 0.5 on both axes,
	// the centre of 0 4; 8 12, so the mean 6 (a rule that maps a lone pixel to 0 gives 0).
	name:  "half_pixel_centers to one pixel",
	build: resizeCase([]int32{1, 2, 2, 1}, [2]int32{1, 1}, resizeOpts(false, true)),
	in:    []any{[]float32{0, 4, 8, 12}},
	want:  [][]float32{{6}},
}}

var gatherCases = []opCase{{
	// MoveNet's gather of one pixel's channels: convolution pixels (1,10),(2,20),(3,30),(4,40)
	// held as NCHW; indices [[0 1 0]] are (batch, row, column) in NHWC, so pixel (1,0) = (3,30).
	// Read in NCHW order they would pick channel 1 of row 0: 10 20.
	name: "GATHER_ND of a pixel of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 2, 2, 1)
		idx := m.constant("indices", i32(1, 3), int32s(0, 1, 0))
		y := m.tensor("y", f32(1, 2))
		m.op(tflite.GatherND, emptyOpts(optGatherNd), []int32{c, idx}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4}},
	want: [][]float32{{3, 30}},
}, {
	// Indices computed at run time, each a full index of [1 2 3; 4 5 6]: (1,2) (0,0) (1,0).
	name: "GATHER_ND of elements with int32 graph-input indices",
	build: func(m *tfModel) {
		x := m.input("x", f32(2, 3))
		idx := m.input("indices", i32(3, 2))
		y := m.tensor("y", f32(3))
		m.op(tflite.GatherND, emptyOpts(optGatherNd), []int32{x, idx}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6}, []int32{1, 2, 0, 0, 1, 0}},
	want: [][]float32{{6, 1, 4}},
}}

var packCases = []opCase{{
	// MoveNet's index triple: a constant [0] and two int32 inputs [7], [9] stacked on axis 1.
	name: "PACK of a constant and graph inputs along axis 1",
	build: func(m *tfModel) {
		k := m.constant("zero", i32(1), int32s(0))
		a := m.input("a", i32(1))
		b := m.input("b", i32(1))
		y := m.tensor("y", i32(1, 3))
		m.op(tflite.Pack, countAxisOpts(optPack, 3, 1), []int32{k, a, b}, y)
		m.output(y)
	},
	in:   []any{[]int32{7}, []int32{9}},
	want: [][]float32{{0, 7, 9}},
}, {
	// [1 2] and [3 4] on the last axis (-1): [[1 3] [2 4]] (axis 0 would give [[1 2] [3 4]]).
	name: "PACK along axis -1",
	build: func(m *tfModel) {
		a := m.input("a", f32(2))
		b := m.input("b", f32(2))
		y := m.tensor("y", f32(2, 2))
		m.op(tflite.Pack, countAxisOpts(optPack, 2, -1), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}, []float32{3, 4}},
	want: [][]float32{{1, 3, 2, 4}},
}, {
	// A convolution (pixels (1,10),(2,20), held as NCHW) stacked with itself on a new last
	// axis, in NHWC order: 1 1 10 10 2 2 20 20.
	name: "PACK of a convolution",
	build: func(m *tfModel) {
		c := convSpread(m, 1, 1, 2, 1)
		y := m.tensor("y", f32(1, 1, 2, 2, 2))
		m.op(tflite.Pack, countAxisOpts(optPack, 2, 4), []int32{c, c}, y)
		m.output(y)
	},
	in:   []any{[]float32{1, 2}},
	want: [][]float32{{1, 1, 10, 10, 2, 2, 20, 20}},
}, {
	// [1 2 3; 4 5 6] split along axis 1 into its three columns.
	name: "UNPACK along axis 1",
	build: func(m *tfModel) {
		x := m.input("x", f32(2, 3))
		ys := []int32{m.tensor("y0", f32(2)), m.tensor("y1", f32(2)), m.tensor("y2", f32(2))}
		m.op(tflite.Unpack, countAxisOpts(optUnpack, 3, 1), []int32{x}, ys...)
		m.output(ys...)
	},
	in:   []any{[]float32{1, 2, 3, 4, 5, 6}},
	want: [][]float32{{1, 4}, {2, 5}, {3, 6}},
}, {
	// MoveNet's unstack of int8 (y, x) pairs: scale 0.5, q 2 4; 6 8 -> 1 2; 3 4, split along
	// axis -1 into 1 3 and 2 4; the values lie on the quantisation grid, so QDQ keeps them.
	name: "UNPACK of int8 pairs along axis -1",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Int8, 0.5, 0, 2, 2))
		ys := []int32{m.tensor("y0", quantized(tflite.Int8, 0.5, 0, 2)), m.tensor("y1", quantized(tflite.Int8, 0.5, 0, 2))}
		m.op(tflite.Unpack, countAxisOpts(optUnpack, 2, -1), []int32{x}, ys...)
		m.output(ys...)
	},
	in:   []any{[]int8{2, 4, 6, 8}},
	want: [][]float32{{1, 3}, {2, 4}},
}}

var quantizedCases = []opCase{{
	// x: uint8, scale 0.5, zero point 128: q 130 132 124 128 -> 1 2 -2 0.
	// Weights: uint8, scale 0.25, zero point 100:
	//   out0 q 104 108 96 100 -> 1 2 -1 0;  out1 q 84 84 116 100 -> -4 -4 4 0.
	// Bias: int32, scale 0.5*0.25 = 0.125: q 24, 0 -> 3, 0.
	// out0 = 1*1 + 2*2 + (-2)(-1) + 0 + 3 = 10;  out1 = -4 - 8 - 8 + 0 = -20.
	// The output (uint8, scale 0.25, zero point 40) holds [-10, 53.75]: -20 saturates at -10
	// in both modes (QDQ: q = -80+40 = -40 -> 0).
	name: "uint8 CONV_2D saturates at the output range",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Uint8, 0.5, 128, 1, 2, 2, 1))
		w := m.constant("w", quantized(tflite.Uint8, 0.25, 100, 2, 2, 2, 1), []byte{104, 108, 96, 100, 84, 84, 116, 100})
		b := m.constant("b", quantized(tflite.Int32, 0.125, 0, 2), int32s(24, 0))
		y := m.tensor("y", quantized(tflite.Uint8, 0.25, 40, 1, 1, 1, 2))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]uint8{130, 132, 124, 128}},
	want: [][]float32{{10, -10}},
}, {
	// x: int8, scale 0.5, zero point -1: q 3, -5 -> 2, -2.
	// Weights [2,1,1,2] int8 with per-channel scales 0.5, 0.25 along dimension 0:
	//   out0 q 2 4 -> 1 2;  out1 q 4 -8 -> 1 -2.
	// Bias int32, scales 0.5*0.5 = 0.25 and 0.5*0.25 = 0.125: q 4, 8 -> 1, 1.
	// out0 = 2 - 4 + 1 = -1;  out1 = 2 + 4 + 1 = 7 (int8 output, scale 0.5).
	name: "int8 CONV_2D with per-channel weights",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Int8, 0.5, -1, 1, 1, 1, 2))
		w := m.constant("w", perChannel(tflite.Int8, 0, []float32{0.5, 0.25}, 2, 1, 1, 2), int8s(2, 4, 4, -8))
		b := m.constant("b", perChannel(tflite.Int32, 0, []float32{0.25, 0.125}, 2), int32s(4, 8))
		y := m.tensor("y", quantized(tflite.Int8, 0.5, 0, 1, 1, 1, 2))
		m.op(tflite.Conv2D, convOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]int8{3, -5}},
	want: [][]float32{{-1, 7}},
}, {
	// x: int8, scale 1: 3, 4. Weights [1,1,1,2] int8 with per-channel scales 0.5, 2 along
	// dimension 3: q 2, 3 -> 1, 6. Bias scales 0.5, 2: q 2, 1 -> 1, 2.
	// Output: 3*1 + 1 = 4, 4*6 + 2 = 26.
	name: "int8 DEPTHWISE_CONV_2D with per-channel weights",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Int8, 1, 0, 1, 1, 1, 2))
		w := m.constant("w", perChannel(tflite.Int8, 3, []float32{0.5, 2}, 1, 1, 1, 2), int8s(2, 3))
		b := m.constant("b", perChannel(tflite.Int32, 0, []float32{0.5, 2}, 2), int32s(2, 1))
		y := m.tensor("y", quantized(tflite.Int8, 1, 0, 1, 1, 1, 2))
		m.op(tflite.DepthwiseConv2D, depthwiseOpts(tflite.Valid, 1, 1, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]int8{3, 4}},
	want: [][]float32{{4, 26}},
}, {
	// uint8 scale 1: mean of 1 2 3 5 = 2.75. Float mode keeps 2.75; QDQ mode rounds the
	// uint8 output (scale 1) to 3.
	name: "uint8 AVERAGE_POOL_2D rounds only in QDQ mode",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Uint8, 1, 0, 1, 2, 2, 1))
		y := m.tensor("y", quantized(tflite.Uint8, 1, 0, 1, 1, 1, 1))
		m.op(tflite.AveragePool2D, poolOpts(tflite.Valid, 2, 2, tflite.ActNone), []int32{x}, y)
		m.output(y)
	},
	in:   []any{[]uint8{1, 2, 3, 5}},
	want: [][]float32{{2.75}},
	qdq:  [][]float32{{3}},
}, {
	// uint8 scale 0.5: [2 250] -> [1 125] and [4 20] -> [2 10]; sums 3, 135. The output
	// (uint8, scale 0.5, zero point 0) holds at most 127.5.
	name: "uint8 ADD saturates at the output range",
	build: func(m *tfModel) {
		a := m.input("a", quantized(tflite.Uint8, 0.5, 0, 1, 2))
		b := m.input("b", quantized(tflite.Uint8, 0.5, 0, 1, 2))
		y := m.tensor("y", quantized(tflite.Uint8, 0.5, 0, 1, 2))
		m.op(tflite.Add, actOpts(optAdd, tflite.ActNone), []int32{a, b}, y)
		m.output(y)
	},
	in:   []any{[]uint8{2, 250}, []uint8{4, 20}},
	want: [][]float32{{3, 127.5}},
}, {
	// x int8 scale 0.5: q 2, 4 -> 1, 2. Weights int8 scale 0.5: q 6, 2 -> 3, 1.
	// Bias int32 scale 0.25: q 4 -> 1. 3 + 2 + 1 = 6 (int8 output, scale 0.25).
	name: "int8 FULLY_CONNECTED",
	build: func(m *tfModel) {
		x := m.input("x", quantized(tflite.Int8, 0.5, 0, 1, 2))
		w := m.constant("w", quantized(tflite.Int8, 0.5, 0, 1, 2), int8s(6, 2))
		b := m.constant("b", quantized(tflite.Int32, 0.25, 0, 1), int32s(4))
		y := m.tensor("y", quantized(tflite.Int8, 0.25, 0, 1, 1))
		m.op(tflite.FullyConnected, actOpts(optFullyConnected, tflite.ActNone), []int32{x, w, b}, y)
		m.output(y)
	},
	in:   []any{[]int8{2, 4}},
	want: [][]float32{{6}},
}}

func TestConv2D(t *testing.T)          { runCases(t, conv2DCases) }
func TestDepthwiseConv2D(t *testing.T) { runCases(t, depthwiseCases) }
func TestPool(t *testing.T)            { runCases(t, poolCases) }
func TestElementwise(t *testing.T)     { runCases(t, elementwiseCases) }
func TestActivations(t *testing.T)     { runCases(t, activationCases) }
func TestConcatenation(t *testing.T)   { runCases(t, concatenationCases) }
func TestReshapes(t *testing.T)        { runCases(t, reshapeCases) }
func TestSoftmax(t *testing.T)         { runCases(t, softmaxCases) }
func TestFullyConnected(t *testing.T)  { runCases(t, fullyConnectedCases) }
func TestPad(t *testing.T)             { runCases(t, padCases) }
func TestQuantization(t *testing.T)    { runCases(t, quantizationCases) }
func TestQuantizedOps(t *testing.T)    { runCases(t, quantizedCases) }
func TestCast(t *testing.T)            { runCases(t, castCases) }
func TestReductions(t *testing.T)      { runCases(t, reductionCases) }
func TestResizeBilinear(t *testing.T)  { runCases(t, resizeCases) }
func TestGatherND(t *testing.T)        { runCases(t, gatherCases) }
func TestPackUnpack(t *testing.T)      { runCases(t, packCases) }

// allCases lists every table of operator cases, for TestEveryBuilderTested.
var allCases = [][]opCase{
	conv2DCases, depthwiseCases, poolCases, elementwiseCases, activationCases, concatenationCases,
	reshapeCases, softmaxCases, fullyConnectedCases, padCases, quantizationCases, quantizedCases,
	castCases, reductionCases, resizeCases, gatherCases, packCases,
}

// TestEveryBuilderTested checks that every operator the converter handles appears in a case.
func TestEveryBuilderTested(t *testing.T) {
	seen := map[tflite.BuiltinOp]bool{}
	for _, cases := range allCases {
		for _, tc := range cases {
			m := &tfModel{}
			tc.build(m)
			for _, op := range m.ops {
				seen[op.code] = true
			}
		}
	}
	for op := range builders {
		if !seen[op] {
			t.Errorf("no test case uses %v", op)
		}
	}
}

// runCases converts every case in both modes, runs it with ONNX Runtime and compares the
// outputs with the expected ones.
func runCases(t *testing.T, cases []opCase) {
	e := testmodels.Engine(t)
	for _, tc := range cases {
		for _, mode := range []Mode{Float, QDQ} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				m := &tfModel{}
				tc.build(m)
				want := tc.want
				if mode == QDQ && tc.qdq != nil {
					want = tc.qdq
				}
				got := convertAndRun(t, e, m, mode, tc.in...)
				if len(got) != len(want) {
					t.Fatalf("%d outputs, want %d", len(got), len(want))
				}
				for k := range want {
					checkOutput(t, got[k], dims(m.tensors[m.outputs[k]].shape), want[k])
				}
			})
		}
	}
}

// convertAndRun encodes m, parses and converts it in mode, and runs it on inputs (one per
// graph input, as a slice of the input's element type). It returns the outputs.
func convertAndRun(t *testing.T, e *ort.Engine, m *tfModel, mode Mode, inputs ...any) []inference.Tensor {
	t.Helper()
	parsed, err := tflite.Parse(m.bytes())
	if err != nil {
		t.Fatal(err)
	}
	model, err := Convert(parsed, mode)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	s, err := e.Load(model, inference.Options{})
	if err != nil {
		t.Fatalf("loading the converted model: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	infos := s.Inputs()
	if len(infos) != len(inputs) {
		t.Fatalf("the converted model takes %d inputs, the test gives %d", len(infos), len(inputs))
	}
	in := make([]inference.Tensor, len(inputs))
	for k, info := range infos {
		in[k] = inference.Tensor{TensorInfo: info, Data: inputs[k]}
	}
	out := make([]inference.Tensor, len(s.Outputs()))
	if err := s.Run(context.Background(), in, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out
}

// checkOutput compares a float output with its expected shape and values, allowing for the
// rounding of float32 arithmetic.
func checkOutput(t *testing.T, got inference.Tensor, shape []int64, want []float32) {
	t.Helper()
	if !slices.Equal(got.Shape, shape) {
		t.Errorf("output %q has shape %v, want %v", got.Name, got.Shape, shape)
	}
	data, ok := got.Data.([]float32)
	if !ok || len(data) != len(want) {
		t.Fatalf("output %q = %v, want %v", got.Name, got.Data, want)
	}
	for i := range want {
		if diff := math.Abs(float64(data[i] - want[i])); diff > 1e-5*max(1, math.Abs(float64(want[i]))) {
			t.Errorf("output %q = %v,\nwant %v", got.Name, data, want)
			return
		}
	}
}

// TestSamePad checks TensorFlow's SAME padding: the output has ceil(in/stride) pixels, and
// an odd total padding puts the extra pixel after.
func TestSamePad(t *testing.T) {
	for _, tc := range []struct {
		in, k, stride, dilation int64
		before, after           int64
	}{
		{3, 2, 2, 1, 0, 1},   // out 2: (2-1)*2+2-3 = 1
		{3, 3, 1, 1, 1, 1},   // out 3: 2+3-3 = 2
		{4, 3, 2, 1, 0, 1},   // out 2: 2+3-4 = 1
		{5, 3, 2, 1, 1, 1},   // out 3: 4+3-5 = 2
		{224, 3, 2, 1, 0, 1}, // out 112: 222+3-224 = 1
		{6, 4, 1, 1, 1, 2},   // out 6: 5+4-6 = 3
		{8, 3, 3, 1, 0, 1},   // out 3: 6+3-8 = 1
		{300, 5, 4, 1, 0, 1}, // out 75: 296+5-300 = 1
		{1, 3, 1, 1, 1, 1},   // out 1: 0+3-1 = 2
		{5, 3, 1, 2, 2, 2},   // dilation 2 spans 5 pixels: 4+5-5 = 4
		{513, 3, 2, 3, 3, 3}, // dilation 3 spans 7: 512+7-513 = 6
		{4, 1, 2, 1, 0, 0},   // out 2: 2+1-4 < 0, no padding
		{10, 2, 10, 1, 0, 0}, // out 1: 0+2-10 < 0
	} {
		before, after := samePad(tc.in, tc.k, tc.stride, tc.dilation)
		if before != tc.before || after != tc.after {
			t.Errorf("samePad(in %d, kernel %d, stride %d, dilation %d) = %d, %d; want %d, %d",
				tc.in, tc.k, tc.stride, tc.dilation, before, after, tc.before, tc.after)
		}
	}
}
