package convert

import (
	"fmt"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/inference/tflite"
)

// builder converts one TFLite operator. To teach the converter a new operator, write a
// builder and add it to this table.
type builder func(c *converter, op tflite.Operator) error

var builders map[tflite.BuiltinOp]builder

func init() {
	builders = map[tflite.BuiltinOp]builder{
		tflite.Conv2D:          conv2D,
		tflite.DepthwiseConv2D: depthwiseConv2D,
		tflite.AveragePool2D:   pool("AveragePool"),
		tflite.MaxPool2D:       pool("MaxPool"),
		tflite.Add:             elementwise("Add"),
		tflite.Sub:             elementwise("Sub"),
		tflite.Mul:             elementwise("Mul"),
		tflite.Div:             elementwise("Div"),
		tflite.Logistic:        unary("Sigmoid", tflite.ActNone),
		tflite.Tanh:            unary("", tflite.ActTanh),
		tflite.Relu:            unary("", tflite.ActRelu),
		tflite.Relu6:           unary("", tflite.ActRelu6),
		tflite.Concatenation:   concatenation,
		tflite.Reshape:         reshape,
		tflite.Squeeze:         reshape,
		tflite.ExpandDims:      reshape,
		tflite.Softmax:         softmax,
		tflite.FullyConnected:  fullyConnected,
		tflite.Pad:             pad,
		tflite.Dequantize:      unary("", tflite.ActNone),
		tflite.Quantize:        unary("", tflite.ActNone),
	}
}

func conv2D(c *converter, op tflite.Operator) error {
	o, err := op.Options.Conv2D()
	if err != nil {
		return err
	}
	return c.conv(op, o, false)
}

func depthwiseConv2D(c *converter, op tflite.Operator) error {
	o, err := op.Options.DepthwiseConv2D()
	if err != nil {
		return err
	}
	return c.conv(op, o, true)
}

// conv emits a Conv for CONV_2D (weights [O,KH,KW,I]) or DEPTHWISE_CONV_2D (weights
// [1,KH,KW,C*M], one group per input channel).
func (c *converter) conv(op tflite.Operator, o tflite.Conv2DOptions, depthwise bool) error {
	if len(op.Inputs) < 2 || op.Inputs[1] < 0 || !c.isConst(op.Inputs[1]) {
		return fmt.Errorf("%w: convolution without constant weights", inference.ErrUnsupported)
	}
	xt, wt := c.tensor(op.Inputs[0]), c.tensor(op.Inputs[1])
	if len(xt.Shape) != 4 || len(wt.Shape) != 4 {
		return fmt.Errorf("%w: convolution input %v or weights %v are not 4-D", inference.ErrBadModel, xt.Shape, wt.Shape)
	}
	x, err := c.in(op, 0, true)
	if err != nil {
		return err
	}
	perm, group := []int{0, 3, 1, 2}, int64(1)
	if depthwise {
		perm, group = []int{3, 0, 1, 2}, int64(xt.Shape[3])
	}
	w, err := c.constant(wt, perm)
	if err != nil {
		return err
	}
	kh, kw := wt.Shape[1], wt.Shape[2]
	pads, err := padsFor(xt, o.Padding, kh, kw, o.StrideH, o.StrideW, o.DilationH, o.DilationW)
	if err != nil {
		return err
	}
	inputs := []string{x, w}
	if len(op.Inputs) > 2 && op.Inputs[2] >= 0 {
		b, err := c.constant(c.tensor(op.Inputs[2]), nil)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	y := c.node("Conv", inputs,
		onnx.AttrInts("kernel_shape", []int64{int64(kh), int64(kw)}),
		onnx.AttrInts("strides", []int64{int64(o.StrideH), int64(o.StrideW)}),
		onnx.AttrInts("dilations", []int64{int64(o.DilationH), int64(o.DilationW)}),
		onnx.AttrInts("pads", pads),
		onnx.AttrInt("group", group))
	return c.finish(op, y, true, o.Activation)
}

// padsFor returns ONNX pads [top, left, bottom, right] for an NHWC input. SAME padding puts
// the odd pixel at the bottom/right, as TensorFlow does.
func padsFor(x *tflite.Tensor, p tflite.Padding, kh, kw, sh, sw, dh, dw int32) ([]int64, error) {
	if sh < 1 || sw < 1 || dh < 1 || dw < 1 || kh < 1 || kw < 1 {
		return nil, fmt.Errorf("%w: kernel %dx%d, strides %d,%d, dilations %d,%d", inference.ErrBadModel, kh, kw, sh, sw, dh, dw)
	}
	if p == tflite.Valid {
		return []int64{0, 0, 0, 0}, nil
	}
	h, w := x.Shape[1], x.Shape[2]
	if h < 1 || w < 1 {
		return nil, fmt.Errorf("%w: SAME padding needs a known input size, got %v", inference.ErrUnsupported, x.Shape)
	}
	top, bottom := samePad(int64(h), int64(kh), int64(sh), int64(dh))
	left, right := samePad(int64(w), int64(kw), int64(sw), int64(dw))
	return []int64{top, left, bottom, right}, nil
}

func samePad(in, k, stride, dilation int64) (before, after int64) {
	out := (in + stride - 1) / stride
	total := max((out-1)*stride+(k-1)*dilation+1-in, 0)
	return total / 2, total - total/2
}

func pool(opType string) builder {
	return func(c *converter, op tflite.Operator) error {
		o, err := op.Options.Pool2D()
		if err != nil {
			return err
		}
		xt := c.tensor(op.Inputs[0])
		if len(xt.Shape) != 4 {
			return fmt.Errorf("%w: pooling input %v is not 4-D", inference.ErrBadModel, xt.Shape)
		}
		x, err := c.in(op, 0, true)
		if err != nil {
			return err
		}
		pads, err := padsFor(xt, o.Padding, o.FilterH, o.FilterW, o.StrideH, o.StrideW, 1, 1)
		if err != nil {
			return err
		}
		y := c.node(opType, []string{x},
			onnx.AttrInts("kernel_shape", []int64{int64(o.FilterH), int64(o.FilterW)}),
			onnx.AttrInts("strides", []int64{int64(o.StrideH), int64(o.StrideW)}),
			onnx.AttrInts("pads", pads))
		return c.finish(op, y, true, o.Activation)
	}
}

// channelsFirstFits reports whether op's inputs can all be taken in NCHW order: at least one
// is already NCHW, every computed input is 4-D and every constant is a single value.
func (c *converter) channelsFirstFits(op tflite.Operator) bool {
	any := false
	for _, i := range op.Inputs {
		if i < 0 {
			continue
		}
		t := c.tensor(i)
		if c.isConst(i) {
			if elements(t.Shape) != 1 {
				return false
			}
			continue
		}
		if len(t.Shape) != 4 {
			return false
		}
		any = any || c.vals[i].nchw
	}
	return any
}

func elements(shape []int32) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

func elementwise(opType string) builder {
	return func(c *converter, op tflite.Operator) error {
		act, err := op.Options.FusedActivation()
		if err != nil {
			return err
		}
		nchw := c.channelsFirstFits(op)
		a, err := c.in(op, 0, nchw)
		if err != nil {
			return err
		}
		b, err := c.in(op, 1, nchw)
		if err != nil {
			return err
		}
		return c.finish(op, c.node(opType, []string{a, b}), nchw, act)
	}
}

// unary converts an element-wise operator that keeps the layout; opType "" applies only act.
func unary(opType string, act tflite.Activation) builder {
	return func(c *converter, op tflite.Operator) error {
		v, err := c.get(op.Inputs[0])
		if err != nil {
			return err
		}
		y := v.name
		if opType != "" {
			y = c.node(opType, []string{y})
		}
		return c.finish(op, y, v.nchw, act)
	}
}

func concatenation(c *converter, op tflite.Operator) error {
	axis, act, err := op.Options.Concatenation()
	if err != nil {
		return err
	}
	rank := int32(len(c.tensor(op.Outputs[0]).Shape))
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= max(rank, 1) {
		return fmt.Errorf("%w: concatenation axis %d for rank %d", inference.ErrBadModel, axis, rank)
	}
	nchw := rank == 4 && c.channelsFirstFits(op)
	if nchw {
		axis = []int32{0, 2, 3, 1}[axis]
	}
	inputs := make([]string, len(op.Inputs))
	for k := range op.Inputs {
		if inputs[k], err = c.in(op, k, nchw); err != nil {
			return err
		}
	}
	y := c.node("Concat", inputs, onnx.AttrInt("axis", int64(axis)))
	return c.finish(op, y, nchw, act)
}

// reshape converts RESHAPE, SQUEEZE and EXPAND_DIMS to a Reshape to the output's static shape.
func reshape(c *converter, op tflite.Operator) error {
	x, err := c.in(op, 0, false)
	if err != nil {
		return err
	}
	out := c.tensor(op.Outputs[0])
	if elements(out.Shape) != elements(c.tensor(op.Inputs[0]).Shape) || len(out.Shape) == 0 && elements(c.tensor(op.Inputs[0]).Shape) != 1 {
		return fmt.Errorf("%w: reshape from %v to %v", inference.ErrBadModel, c.tensor(op.Inputs[0]).Shape, out.Shape)
	}
	return c.record(op.Outputs[0], c.node("Reshape", []string{x, c.ints(dims(out.Shape))}), false)
}

func softmax(c *converter, op tflite.Operator) error {
	beta, err := op.Options.Softmax()
	if err != nil {
		return err
	}
	x, err := c.in(op, 0, false)
	if err != nil {
		return err
	}
	if beta != 1 {
		x = c.node("Mul", []string{x, c.scalar(beta)})
	}
	return c.record(op.Outputs[0], c.node("Softmax", []string{x}, onnx.AttrInt("axis", -1)), false)
}

// fullyConnected converts FULLY_CONNECTED (weights [N,K]) to Gemm on the input flattened to [-1,K].
func fullyConnected(c *converter, op tflite.Operator) error {
	act, err := op.Options.FusedActivation()
	if err != nil {
		return err
	}
	if len(op.Inputs) < 2 || !c.isConst(op.Inputs[1]) || len(c.tensor(op.Inputs[1]).Shape) != 2 {
		return fmt.Errorf("%w: fully connected layer without constant 2-D weights", inference.ErrUnsupported)
	}
	x, err := c.in(op, 0, false)
	if err != nil {
		return err
	}
	wt := c.tensor(op.Inputs[1])
	w, err := c.constant(wt, nil)
	if err != nil {
		return err
	}
	flat := c.node("Reshape", []string{x, c.ints([]int64{-1, int64(wt.Shape[1])})})
	inputs := []string{flat, w}
	if len(op.Inputs) > 2 && op.Inputs[2] >= 0 {
		b, err := c.constant(c.tensor(op.Inputs[2]), nil)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	y := c.node("Gemm", inputs, onnx.AttrInt("transB", 1))
	if out := c.tensor(op.Outputs[0]); len(out.Shape) != 2 {
		y = c.node("Reshape", []string{y, c.ints(dims(out.Shape))})
	}
	return c.finish(op, y, false, act)
}

// pad converts PAD with constant paddings [[before, after] per axis], padding with zeros.
func pad(c *converter, op tflite.Operator) error {
	if len(op.Inputs) < 2 || !c.isConst(op.Inputs[1]) {
		return fmt.Errorf("%w: PAD without constant paddings", inference.ErrUnsupported)
	}
	p, err := dequantize(c.m, c.tensor(op.Inputs[1]))
	if err != nil {
		return err
	}
	v, err := c.get(op.Inputs[0])
	if err != nil {
		return err
	}
	rank := len(c.tensor(op.Inputs[0]).Shape)
	if len(p) != 2*rank {
		return fmt.Errorf("%w: PAD has %d paddings for rank %d", inference.ErrBadModel, len(p), rank)
	}
	order := make([]int, rank)
	for k := range order {
		order[k] = k
	}
	if v.nchw {
		order = []int{0, 3, 1, 2}
	}
	pads := make([]int64, 2*rank)
	for k, axis := range order {
		pads[k] = int64(p[2*axis])
		pads[rank+k] = int64(p[2*axis+1])
	}
	return c.record(op.Outputs[0], c.node("Pad", []string{v.name, c.ints(pads)}), v.nchw)
}
