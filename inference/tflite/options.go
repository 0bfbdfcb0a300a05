package tflite

import "fmt"

// Options is an operator's builtin options table. The typed accessors below decode the
// tables the converter needs; each checks its reads and returns an error for a corrupt table.
type Options struct {
	kind uint8 // BuiltinOptions union type
	r    *reader
	t    table
}

// Padding is a convolution or pooling padding scheme.
type Padding uint8

// Padding schemes (schema enum Padding).
const (
	Same  Padding = 0
	Valid Padding = 1
)

// Activation is a fused activation function.
type Activation uint8

// Fused activations (schema enum ActivationFunctionType).
const (
	ActNone  Activation = 0
	ActRelu  Activation = 1
	ActRelu1 Activation = 2 // clamp to [-1, 1]
	ActRelu6 Activation = 3
	ActTanh  Activation = 4
)

// Conv2DOptions configures CONV_2D and, with DepthMultiplier set, DEPTHWISE_CONV_2D.
type Conv2DOptions struct {
	Padding              Padding
	StrideW, StrideH     int32
	DilationW, DilationH int32
	DepthMultiplier      int32
	Activation           Activation
}

// Pool2DOptions configures AVERAGE_POOL_2D and MAX_POOL_2D.
type Pool2DOptions struct {
	Padding          Padding
	StrideW, StrideH int32
	FilterW, FilterH int32
	Activation       Activation
}

// read runs fn over the table (when present) and returns the reader's error.
func (o Options) read(name string, fn func(r *reader, t table)) error {
	if o.r == nil {
		return nil
	}
	fn(o.r, o.t)
	if o.r.err != nil {
		return fmt.Errorf("corrupt %s: %w", name, o.r.err)
	}
	return nil
}

// Conv2D decodes Conv2DOptions.
func (o Options) Conv2D() (Conv2DOptions, error) {
	c := Conv2DOptions{StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1}
	err := o.read("Conv2DOptions", func(r *reader, t table) {
		c.Padding = Padding(r.fieldU8(t, 0, 0))
		c.StrideW = r.fieldI32(t, 1, 1)
		c.StrideH = r.fieldI32(t, 2, 1)
		c.Activation = Activation(r.fieldU8(t, 3, 0))
		c.DilationW = r.fieldI32(t, 4, 1)
		c.DilationH = r.fieldI32(t, 5, 1)
	})
	return c, err
}

// DepthwiseConv2D decodes DepthwiseConv2DOptions.
func (o Options) DepthwiseConv2D() (Conv2DOptions, error) {
	c := Conv2DOptions{StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1, DepthMultiplier: 1}
	err := o.read("DepthwiseConv2DOptions", func(r *reader, t table) {
		c.Padding = Padding(r.fieldU8(t, 0, 0))
		c.StrideW = r.fieldI32(t, 1, 1)
		c.StrideH = r.fieldI32(t, 2, 1)
		c.DepthMultiplier = r.fieldI32(t, 3, 1)
		c.Activation = Activation(r.fieldU8(t, 4, 0))
		c.DilationW = r.fieldI32(t, 5, 1)
		c.DilationH = r.fieldI32(t, 6, 1)
	})
	return c, err
}

// Pool2D decodes Pool2DOptions.
func (o Options) Pool2D() (Pool2DOptions, error) {
	p := Pool2DOptions{StrideW: 1, StrideH: 1, FilterW: 1, FilterH: 1}
	err := o.read("Pool2DOptions", func(r *reader, t table) {
		p.Padding = Padding(r.fieldU8(t, 0, 0))
		p.StrideW = r.fieldI32(t, 1, 1)
		p.StrideH = r.fieldI32(t, 2, 1)
		p.FilterW = r.fieldI32(t, 3, 1)
		p.FilterH = r.fieldI32(t, 4, 1)
		p.Activation = Activation(r.fieldU8(t, 5, 0))
	})
	return p, err
}

// FusedActivation decodes the options of operators whose only (first) field is the fused
// activation: ADD, SUB, MUL, DIV, FULLY_CONNECTED.
func (o Options) FusedActivation() (Activation, error) {
	var a Activation
	err := o.read("activation options", func(r *reader, t table) { a = Activation(r.fieldU8(t, 0, 0)) })
	return a, err
}

// Concatenation decodes ConcatenationOptions: the axis and the fused activation.
func (o Options) Concatenation() (axis int32, act Activation, err error) {
	err = o.read("ConcatenationOptions", func(r *reader, t table) {
		axis = r.fieldI32(t, 0, 0)
		act = Activation(r.fieldU8(t, 1, 0))
	})
	return axis, act, err
}

// Reshape decodes ReshapeOptions; the new shape may instead come as the operator's second input.
func (o Options) Reshape() (newShape []int32, err error) {
	err = o.read("ReshapeOptions", func(r *reader, t table) { newShape = r.fieldI32s(t, 0) })
	return newShape, err
}

// Softmax decodes SoftmaxOptions; beta defaults to 1.
func (o Options) Softmax() (beta float32, err error) {
	beta = 1
	err = o.read("SoftmaxOptions", func(r *reader, t table) { beta = r.fieldF32(t, 0, 1) })
	return beta, err
}

// ResizeBilinearOptions configures RESIZE_BILINEAR. Without either flag a source coordinate is
// the output coordinate times in/out; TFLite rejects both flags together.
type ResizeBilinearOptions struct {
	// AlignCorners maps the corner pixels' centres onto each other: scale (in-1)/(out-1).
	AlignCorners bool
	// HalfPixelCenters samples at pixel centres: source (out+0.5)*in/out - 0.5.
	HalfPixelCenters bool
}

// ResizeBilinear decodes ResizeBilinearOptions. Fields 0 and 1 (new_height, new_width) are
// deprecated: the size is the operator's second input.
func (o Options) ResizeBilinear() (ResizeBilinearOptions, error) {
	var p ResizeBilinearOptions
	err := o.read("ResizeBilinearOptions", func(r *reader, t table) {
		p.AlignCorners = r.fieldU8(t, 2, 0) != 0
		p.HalfPixelCenters = r.fieldU8(t, 3, 0) != 0
	})
	return p, err
}

// Reducer decodes the ReducerOptions of MEAN, SUM, REDUCE_MAX...: whether the reduced axes
// stay as axes of size 1.
func (o Options) Reducer() (keepDims bool, err error) {
	err = o.read("ReducerOptions", func(r *reader, t table) { keepDims = r.fieldU8(t, 0, 0) != 0 })
	return keepDims, err
}

// ArgMax decodes ArgMaxOptions: the element type of the indices (Int32 or Int64 in a valid
// model; the schema default, Float32, is one TFLite rejects).
func (o Options) ArgMax() (outputType TensorType, err error) {
	err = o.read("ArgMaxOptions", func(r *reader, t table) { outputType = TensorType(r.fieldU8(t, 0, 0)) })
	return outputType, err
}

// Pack decodes PackOptions: the number of inputs stacked and the new axis they stack along.
func (o Options) Pack() (valuesCount, axis int32, err error) {
	return o.countAxis("PackOptions")
}

// Unpack decodes UnpackOptions: the number of outputs and the axis that is split and removed.
func (o Options) Unpack() (num, axis int32, err error) {
	return o.countAxis("UnpackOptions")
}

// countAxis reads the two int32 fields that PackOptions and UnpackOptions share.
func (o Options) countAxis(name string) (count, axis int32, err error) {
	err = o.read(name, func(r *reader, t table) {
		count = r.fieldI32(t, 0, 0)
		axis = r.fieldI32(t, 1, 0)
	})
	return count, axis, err
}
