package convert

import (
	"fmt"
	"slices"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/inference/tflite"
)

// builder converts one TFLite operator. To teach the converter a new operator, write a
// builder and add it to this table.
//
// Every value is float32 in the ONNX graph whatever its TFLite type: integer tensors (indices,
// coordinates) hold exact values up to 2^24, far beyond the sizes of images and feature maps.
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
		tflite.Dequantize:      dequantizeOp,
		tflite.Quantize:        unary("", tflite.ActNone),
		tflite.FloorDiv:        elementwise("Div", "Floor"),
		tflite.Prelu:           elementwise("PRelu"),
		tflite.Sqrt:            unary("Sqrt", tflite.ActNone),
		tflite.Cast:            cast,
		tflite.Mean:            mean,
		tflite.ArgMax:          argMax,
		tflite.ResizeBilinear:  resizeBilinear,
		tflite.GatherND:        gatherND,
		tflite.Pack:            pack,
		tflite.Unpack:          unpack,
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
// is already NCHW, every computed input is 4-D and every constant has rank 4 or less, so that
// it can be permuted along (see channelsFirstConst).
func (c *converter) channelsFirstFits(op tflite.Operator) bool {
	any := false
	for _, i := range op.Inputs {
		if i < 0 {
			continue
		}
		t := c.tensor(i)
		if c.isConst(i) {
			if len(t.Shape) > 4 {
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

// elementwise converts a binary operator with numpy broadcasting to opType, followed by the
// unary operators then (FLOOR_DIV is Div then Floor).
func elementwise(opType string, then ...string) builder {
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
		y := c.node(opType, []string{a, b})
		for _, t := range then {
			y = c.node(t, []string{y})
		}
		return c.finish(op, y, nchw, act)
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
	rank := len(c.tensor(op.Outputs[0]).Shape)
	a, err := axisIn(int64(axis), rank)
	if err != nil {
		return err
	}
	nchw := rank == 4 && c.channelsFirstFits(op)
	if nchw {
		a = nchwAxis[a]
	}
	inputs := make([]string, len(op.Inputs))
	for k := range op.Inputs {
		if inputs[k], err = c.in(op, k, nchw); err != nil {
			return err
		}
	}
	y := c.node("Concat", inputs, onnx.AttrInt("axis", int64(a)))
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
	p, err := c.constInts(op, 1, "paddings")
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
		pads[k] = p[2*axis]
		pads[rank+k] = p[2*axis+1]
	}
	return c.record(op.Outputs[0], c.node("Pad", []string{v.name, c.ints(pads)}), v.nchw)
}

// dequantizeOp converts DEQUANTIZE of a computed value, which the graph already holds in
// float32. One of a constant was folded into a float32 constant beforehand (see
// foldDequantize) and needs no node.
func dequantizeOp(c *converter, op tflite.Operator) error {
	if c.isConst(op.Outputs[0]) {
		return nil
	}
	return unary("", tflite.ActNone)(c, op)
}

// cast converts CAST. As every value is float32 in the graph, a cast to float32, or of an
// integer to int32 or int64, is a copy, and a cast of a float to an integer type truncates
// toward zero, as TFLite's static_cast does. TFLite casts quantised tensors by their raw
// integers, which the graph does not hold, so they are not supported.
func cast(c *converter, op tflite.Operator) error {
	in, out := c.tensor(op.Inputs[0]), c.tensor(op.Outputs[0])
	if in.Quant != nil && in.Type != tflite.Float32 || out.Quant != nil && out.Type != tflite.Float32 {
		return fmt.Errorf("%w: CAST of quantised %v to %v", inference.ErrUnsupported, in.Type, out.Type)
	}
	v, err := c.get(op.Inputs[0])
	if err != nil {
		return err
	}
	y := v.name
	switch {
	case out.Type == tflite.Float32:
	case isInteger(in.Type) && (out.Type == tflite.Int32 || out.Type == tflite.Int64):
	case (in.Type == tflite.Float32 || in.Type == tflite.Float16) && isInteger(out.Type):
		dt, err := onnxType(out.Type)
		if err != nil {
			return err
		}
		y = c.node("Cast", []string{y}, onnx.AttrInt("to", int64(dt)))
		y = c.node("Cast", []string{y}, onnx.AttrInt("to", int64(onnx.Float)))
	default:
		return fmt.Errorf("%w: CAST from %v to %v", inference.ErrUnsupported, in.Type, out.Type)
	}
	return c.record(op.Outputs[0], y, v.nchw)
}

func isInteger(t tflite.TensorType) bool {
	switch t {
	case tflite.Uint8, tflite.Int8, tflite.Int16, tflite.Int32, tflite.Int64:
		return true
	}
	return false
}

// mean converts MEAN to ReduceMean over the constant axes.
func mean(c *converter, op tflite.Operator) error {
	keep, err := op.Options.Reducer()
	if err != nil {
		return err
	}
	x, axes, nchw, err := c.reduced(op, keep)
	if err != nil {
		return err
	}
	y := c.node("ReduceMean", []string{x}, onnx.AttrInts("axes", axes), onnx.AttrInt("keepdims", boolInt(keep)))
	return c.finish(op, y, nchw && keep, tflite.ActNone)
}

// argMax converts ARG_MAX to ArgMax over the constant axis; in both the first index wins a
// tie. The int64 indices are cast to float32, the graph's element type.
func argMax(c *converter, op tflite.Operator) error {
	typ, err := op.Options.ArgMax()
	if err != nil {
		return err
	}
	if typ != tflite.Int32 && typ != tflite.Int64 {
		return fmt.Errorf("%w: ARG_MAX output type %v", inference.ErrUnsupported, typ)
	}
	x, axes, _, err := c.reduced(op, false)
	if err != nil {
		return err
	}
	if len(axes) != 1 {
		return fmt.Errorf("%w: ARG_MAX over %d axes", inference.ErrBadModel, len(axes))
	}
	y := c.node("ArgMax", []string{x}, onnx.AttrInt("axis", axes[0]), onnx.AttrInt("keepdims", 0))
	return c.record(op.Outputs[0], c.node("Cast", []string{y}, onnx.AttrInt("to", int64(onnx.Float))), false)
}

// reduced returns input 0 of a reduction over the constant axes of input 1, and those axes
// (sorted, without repeats) in the input's layout. An NCHW value stays NCHW when the result
// keeps its rank, or when the axes left over come in the same order in both layouts: when the
// channels, or both height and width, are reduced.
func (c *converter) reduced(op tflite.Operator, keep bool) (x string, axes []int64, nchw bool, err error) {
	v, err := c.get(op.Inputs[0])
	if err != nil {
		return "", nil, false, err
	}
	raw, err := c.constInts(op, 1, "axis")
	if err != nil {
		return "", nil, false, err
	}
	rank := len(c.tensor(op.Inputs[0]).Shape)
	for _, a := range raw {
		k, err := axisIn(a, rank)
		if err != nil {
			return "", nil, false, err
		}
		axes = append(axes, int64(k))
	}
	slices.Sort(axes)
	axes = slices.Compact(axes)
	if len(axes) == 0 {
		return "", nil, false, fmt.Errorf("%w: a reduction over no axes", inference.ErrUnsupported)
	}
	has := func(a int64) bool { return slices.Contains(axes, a) }
	nchw = v.nchw && (keep || has(3) || has(1) && has(2))
	if nchw {
		for k, a := range axes {
			axes[k] = int64(nchwAxis[a])
		}
		slices.Sort(axes)
	}
	x, err = c.in(op, 0, nchw)
	return x, axes, nchw, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// resizeBilinear converts RESIZE_BILINEAR to a linear Resize of the NCHW value to the constant
// size. TFLite's three rules for the source coordinate are ONNX's asymmetric (out*in/out),
// align_corners and half_pixel modes, and ONNX Runtime clamps source coordinates to the
// image as TFLite does.
func resizeBilinear(c *converter, op tflite.Operator) error {
	o, err := op.Options.ResizeBilinear()
	if err != nil {
		return err
	}
	mode := "asymmetric"
	switch {
	case o.AlignCorners && o.HalfPixelCenters:
		return fmt.Errorf("%w: both align_corners and half_pixel_centers are set", inference.ErrUnsupported)
	case o.AlignCorners:
		mode = "align_corners"
	case o.HalfPixelCenters:
		mode = "half_pixel"
	}
	xt := c.tensor(op.Inputs[0])
	if len(xt.Shape) != 4 || xt.Shape[0] < 1 || xt.Shape[3] < 1 {
		return fmt.Errorf("%w: resizing an input of shape %v, want 4-D with known batch and channels", inference.ErrUnsupported, xt.Shape)
	}
	size, err := c.constInts(op, 1, "size")
	if err != nil {
		return err
	}
	if len(size) != 2 || size[0] < 1 || size[1] < 1 {
		return fmt.Errorf("%w: resize to size %v", inference.ErrBadModel, size)
	}
	x, err := c.in(op, 0, true)
	if err != nil {
		return err
	}
	sizes := c.ints([]int64{int64(xt.Shape[0]), int64(xt.Shape[3]), size[0], size[1]})
	y := c.node("Resize", []string{x, "", "", sizes},
		onnx.AttrString("mode", "linear"), onnx.AttrString("coordinate_transformation_mode", mode))
	return c.finish(op, y, true, tflite.ActNone)
}

// gatherND converts GATHER_ND to GatherND. The indices are NHWC coordinates, so the params
// are taken in NHWC order; the float indices are cast to the int64 ONNX wants.
func gatherND(c *converter, op tflite.Operator) error {
	params, err := c.in(op, 0, false)
	if err != nil {
		return err
	}
	indices, err := c.in(op, 1, false)
	if err != nil {
		return err
	}
	indices = c.node("Cast", []string{indices}, onnx.AttrInt("to", int64(onnx.Int64)))
	return c.record(op.Outputs[0], c.node("GatherND", []string{params, indices}), false)
}

// pack converts PACK (stack) to an Unsqueeze of every input at the new axis and a Concat
// along it.
func pack(c *converter, op tflite.Operator) error {
	n, axis, err := op.Options.Pack()
	if err != nil {
		return err
	}
	if int(n) != len(op.Inputs) {
		return fmt.Errorf("%w: PACK of %d values has %d inputs", inference.ErrBadModel, n, len(op.Inputs))
	}
	a, err := axisIn(int64(axis), len(c.tensor(op.Inputs[0]).Shape)+1)
	if err != nil {
		return err
	}
	axes := c.ints([]int64{int64(a)})
	inputs := make([]string, len(op.Inputs))
	for k := range op.Inputs {
		x, err := c.in(op, k, false)
		if err != nil {
			return err
		}
		inputs[k] = c.node("Unsqueeze", []string{x, axes})
	}
	return c.record(op.Outputs[0], c.node("Concat", inputs, onnx.AttrInt("axis", int64(a))), false)
}

// unpack converts UNPACK (unstack) to a Split along the axis and a Squeeze of every part.
func unpack(c *converter, op tflite.Operator) error {
	num, axis, err := op.Options.Unpack()
	if err != nil {
		return err
	}
	shape := c.tensor(op.Inputs[0]).Shape
	a, err := axisIn(int64(axis), len(shape))
	if err != nil {
		return err
	}
	if int(num) != len(op.Outputs) || shape[a] != num {
		return fmt.Errorf("%w: UNPACK of axis %d of %v into %d values has %d outputs", inference.ErrBadModel, a, shape, num, len(op.Outputs))
	}
	x, err := c.in(op, 0, false)
	if err != nil {
		return err
	}
	parts := make([]string, num)
	for k := range parts {
		parts[k] = c.g.UniqueName("split")
	}
	c.g.Node("Split", []string{x}, parts, onnx.AttrInt("axis", int64(a)))
	axes := c.ints([]int64{int64(a)})
	for k, out := range op.Outputs {
		if err := c.record(out, c.node("Squeeze", []string{parts[k], axes}), false); err != nil {
			return err
		}
	}
	return nil
}
