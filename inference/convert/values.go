package convert

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/inference/tflite"
)

// Permutations between TFLite's NHWC and ONNX's NCHW.
var (
	toNCHW = []int64{0, 3, 1, 2}
	toNHWC = []int64{0, 2, 3, 1}
)

// Axis k of an NHWC tensor is axis nchwAxis[k] of its NCHW transpose.
var nchwAxis = [4]int{0, 2, 3, 1}

// isConst reports whether tensor i holds constant data.
func (c *converter) isConst(i int32) bool {
	return i >= 0 && hasData(c.m, &c.sg.Tensors[i])
}

// hasData reports whether tensor t of m holds constant data.
func hasData(m *tflite.Model, t *tflite.Tensor) bool {
	return t.Buffer != 0 && int(t.Buffer) < len(m.Buffers) && len(m.Buffers[t.Buffer]) > 0
}

// get returns the value of tensor i, creating an initializer for a constant.
func (c *converter) get(i int32) (value, error) {
	if v, ok := c.vals[i]; ok {
		return v, nil
	}
	if i < 0 || !c.isConst(i) {
		return value{}, fmt.Errorf("%w: tensor %d is used before any operator computes it", inference.ErrBadModel, i)
	}
	t := &c.sg.Tensors[i]
	name, err := c.constant(t, nil)
	if err != nil {
		return value{}, err
	}
	v := value{name: name}
	c.vals[i] = v
	return v, nil
}

// native returns v's name in TFLite (NHWC) order, transposing once if needed.
func (c *converter) native(v value) string {
	if !v.nchw {
		return v.name
	}
	if n, ok := c.nhwc[v.name]; ok {
		return n
	}
	n := c.node("Transpose", []string{v.name}, onnx.AttrInts("perm", toNHWC))
	c.nhwc[v.name] = n
	return n
}

// channelsFirst returns a 4-D value's name in NCHW order, transposing once if needed.
func (c *converter) channelsFirst(v value) string {
	if v.nchw {
		return v.name
	}
	key := "nchw:" + v.name
	if n, ok := c.nhwc[key]; ok {
		return n
	}
	n := c.node("Transpose", []string{v.name}, onnx.AttrInts("perm", toNCHW))
	c.nhwc[key] = n
	return n
}

// in returns input k of op in NCHW order when nchw is set, else in TFLite order. A constant
// wanted in NCHW order is permuted at conversion, after padding a lower rank to 4 (see
// channelsFirstConst).
func (c *converter) in(op tflite.Operator, k int, nchw bool) (string, error) {
	if k >= len(op.Inputs) {
		return "", fmt.Errorf("%w: operator has %d inputs, needs at least %d", inference.ErrBadModel, len(op.Inputs), k+1)
	}
	i := op.Inputs[k]
	if nchw && c.isConst(i) && elements(c.tensor(i).Shape) != 1 {
		return c.channelsFirstConst(i)
	}
	v, err := c.get(i)
	if err != nil {
		return "", err
	}
	if nchw && len(c.tensor(i).Shape) != 4 {
		return v.name, nil // a one-element constant broadcasts in either layout
	}
	if nchw {
		return c.channelsFirst(v), nil
	}
	return c.native(v), nil
}

// channelsFirstConst returns constant tensor i of rank 4 or less for an operator that
// broadcasts it against NCHW values: its shape padded with leading ones to rank 4 (as
// broadcasting does) and its data permuted to NCHW.
func (c *converter) channelsFirstConst(i int32) (string, error) {
	key := fmt.Sprintf("nchw-const:%d", i)
	if n, ok := c.consts[key]; ok {
		return n, nil
	}
	t := *c.tensor(i)
	pad := 4 - len(t.Shape)
	if pad < 0 {
		return "", fmt.Errorf("%w: constant %s of rank %d broadcast against 4-D values", inference.ErrBadModel, t.Name, len(t.Shape))
	}
	t.Shape = append(slices.Repeat([]int32{1}, pad), t.Shape...)
	if t.Quant != nil {
		q := *t.Quant
		q.Dim += int32(pad)
		t.Quant = &q
	}
	n, err := c.constant(&t, []int{0, 3, 1, 2})
	if err != nil {
		return "", err
	}
	c.consts[key] = n
	return n, nil
}

// constInts returns the values of op's input k, which must be a constant: the axes, sizes or
// paddings that ONNX wants as attributes or int64 initializers. what names it in errors.
func (c *converter) constInts(op tflite.Operator, k int, what string) ([]int64, error) {
	if k >= len(op.Inputs) || op.Inputs[k] < 0 {
		return nil, fmt.Errorf("%w: the %s input is missing", inference.ErrBadModel, what)
	}
	if !c.isConst(op.Inputs[k]) {
		return nil, fmt.Errorf("%w: the %s is computed at run time, only a constant one is supported", inference.ErrUnsupported, what)
	}
	v, err := dequantize(c.m, c.tensor(op.Inputs[k]))
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(v))
	for j, f := range v {
		out[j] = int64(f)
	}
	return out, nil
}

// axisIn returns axis in [0, rank), counting a negative one from the end.
func axisIn(axis int64, rank int) (int, error) {
	a := axis
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return 0, fmt.Errorf("%w: axis %d for rank %d", inference.ErrBadModel, axis, rank)
	}
	return int(a), nil
}

// tensor returns the TFLite tensor behind input or output index i.
func (c *converter) tensor(i int32) *tflite.Tensor { return &c.sg.Tensors[i] }

// finish applies the fused activation to the computed value name of op's first output and
// records it. Quantised kernels also saturate at the ends of the output's quantised range, so
// in float mode the value is clamped to that range as well.
func (c *converter) finish(op tflite.Operator, name string, nchw bool, act tflite.Activation) error {
	if len(op.Outputs) == 0 {
		return fmt.Errorf("%w: operator has no outputs", inference.ErrBadModel)
	}
	out := op.Outputs[0]
	lo, hi := math.Inf(-1), math.Inf(1)
	switch act {
	case tflite.ActNone:
	case tflite.ActRelu:
		lo = 0
	case tflite.ActRelu6:
		lo, hi = 0, 6
	case tflite.ActRelu1:
		lo, hi = -1, 1
	case tflite.ActTanh:
		name = c.node("Tanh", []string{name})
	default:
		return fmt.Errorf("%w: fused activation %d", inference.ErrUnsupported, act)
	}
	if c.mode == Float {
		if qlo, qhi, ok := quantRange(c.tensor(out)); ok {
			lo, hi = math.Max(lo, qlo), math.Min(hi, qhi)
		}
	}
	return c.record(out, c.clamp(name, lo, hi), nchw)
}

// quantRange returns the real values a per-tensor quantised 8-bit tensor can hold.
func quantRange(t *tflite.Tensor) (lo, hi float64, ok bool) {
	q := t.Quant
	if q == nil || len(q.Scale) != 1 || (t.Type != tflite.Uint8 && t.Type != tflite.Int8) {
		return 0, 0, false
	}
	zp := 0.0
	if len(q.ZeroPoint) == 1 {
		zp = float64(q.ZeroPoint[0])
	}
	qmin, qmax := 0.0, 255.0
	if t.Type == tflite.Int8 {
		qmin, qmax = -128, 127
	}
	s := float64(q.Scale[0])
	return s * (qmin - zp), s * (qmax - zp), true
}

// clamp limits name to [lo, hi]; infinite bounds are open.
func (c *converter) clamp(name string, lo, hi float64) string {
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return name
	case lo == 0 && math.IsInf(hi, 1):
		return c.node("Relu", []string{name})
	}
	min, max := "", ""
	if !math.IsInf(lo, -1) {
		min = c.scalar(float32(lo))
	}
	if !math.IsInf(hi, 1) {
		max = c.scalar(float32(hi))
	}
	return c.node("Clip", []string{name, min, max})
}

// record stores the value of tensor i, in QDQ mode after a quantise/dequantise pair.
func (c *converter) record(i int32, name string, nchw bool) error {
	t := c.tensor(i)
	if c.mode == QDQ && t.Quant != nil && len(t.Quant.Scale) == 1 && (t.Type == tflite.Uint8 || t.Type == tflite.Int8) {
		scale, zp := c.quantParams(t.Quant, t.Type)
		q := c.node("QuantizeLinear", []string{name, scale, zp})
		name = c.node("DequantizeLinear", []string{q, scale, zp})
	}
	c.vals[i] = value{name: name, nchw: nchw}
	return nil
}

// scalar returns a shared float32 scalar initializer.
func (c *converter) scalar(v float32) string {
	key := fmt.Sprintf("f:%g", v)
	if n, ok := c.consts[key]; ok {
		return n
	}
	n := c.g.UniqueName("const")
	c.g.FloatInit(n, nil, []float32{v})
	c.consts[key] = n
	return n
}

// ints returns a shared int64 vector initializer.
func (c *converter) ints(v []int64) string {
	key := fmt.Sprintf("i:%v", v)
	if n, ok := c.consts[key]; ok {
		return n
	}
	n := c.g.UniqueName("shape")
	c.g.Int64Init(n, []int64{int64(len(v))}, v)
	c.consts[key] = n
	return n
}

// quantParams returns per-tensor scale and zero-point initializers for a quantised type.
func (c *converter) quantParams(q *tflite.Quantization, t tflite.TensorType) (scale, zp string) {
	z := int64(0)
	if len(q.ZeroPoint) > 0 {
		z = q.ZeroPoint[0]
	}
	scale = c.scalar(q.Scale[0])
	key := fmt.Sprintf("zp:%v:%d", t, z)
	if n, ok := c.consts[key]; ok {
		return scale, n
	}
	zp = c.g.UniqueName("zero_point")
	if t == tflite.Int8 {
		c.g.Initializer(zp, onnx.Int8, nil, []byte{byte(int8(z))})
	} else {
		c.g.Initializer(zp, onnx.Uint8, nil, []byte{byte(uint8(z))})
	}
	c.consts[key] = zp
	return scale, zp
}

// dequantizeValue dequantises a graph value of quantised type t with per-tensor parameters.
func (c *converter) dequantizeValue(name string, q *tflite.Quantization, t tflite.TensorType) string {
	scale, zp := c.quantParams(q, t)
	return c.node("DequantizeLinear", []string{name, scale, zp})
}

// constant makes an initializer for constant tensor t, its data permuted by perm (nil keeps
// the order). In float mode the data is dequantised; in QDQ mode quantised data stays
// quantised behind a DequantizeLinear. The result is always a float32 value.
func (c *converter) constant(t *tflite.Tensor, perm []int) (string, error) {
	shape := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int(d)
	}
	outDims := permuteDims(shape, perm)
	q := t.Quant
	if c.mode == QDQ && q != nil && (t.Type == tflite.Uint8 || t.Type == tflite.Int8 || t.Type == tflite.Int32) {
		return c.quantizedConstant(t, perm, shape, outDims)
	}
	v, err := dequantize(c.m, t)
	if err != nil {
		return "", err
	}
	name := c.g.UniqueName(t.Name)
	c.g.FloatInit(name, outDims, permute(v, shape, perm))
	return name, nil
}

func (c *converter) quantizedConstant(t *tflite.Tensor, perm, shape []int, outDims []int64) (string, error) {
	raw, err := c.m.Data(t)
	if err != nil {
		return "", err
	}
	size := t.Type.Size()
	data := permuteBytes(raw, size, shape, perm)
	dt, err := onnxType(t.Type)
	if err != nil {
		return "", err
	}
	name := c.g.UniqueName(t.Name)
	c.g.Initializer(name, dt, outDims, data)
	q := t.Quant
	axis := int64(0)
	if len(q.Scale) > 1 {
		axis = int64(q.Dim)
		for k, p := range perm {
			if p == int(q.Dim) {
				axis = int64(k)
			}
		}
	}
	n := len(q.Scale)
	scale := c.g.UniqueName(t.Name + "_scale")
	zp := c.g.UniqueName(t.Name + "_zero_point")
	scaleDims := []int64{int64(n)}
	if n == 1 {
		scaleDims = nil
	}
	c.g.FloatInit(scale, scaleDims, q.Scale)
	zps := make([]byte, n*size)
	for k := 0; k < n; k++ {
		z := int64(0)
		if k < len(q.ZeroPoint) {
			z = q.ZeroPoint[k]
		}
		switch size {
		case 1:
			zps[k] = byte(z)
		case 4:
			binary.LittleEndian.PutUint32(zps[4*k:], uint32(int32(z)))
		}
	}
	c.g.Initializer(zp, dt, scaleDims, zps)
	var attrs []onnx.Attr
	if n > 1 {
		attrs = append(attrs, onnx.AttrInt("axis", axis))
	}
	return c.node("DequantizeLinear", []string{name, scale, zp}, attrs...), nil
}

// dequantize returns a constant tensor's values as float32.
func dequantize(m *tflite.Model, t *tflite.Tensor) ([]float32, error) {
	raw, err := m.Data(t)
	if err != nil {
		return nil, err
	}
	n := len(raw) / max(t.Type.Size(), 1)
	out := make([]float32, n)
	raws := func(k int) float64 {
		switch t.Type {
		case tflite.Uint8:
			return float64(raw[k])
		case tflite.Int8:
			return float64(int8(raw[k]))
		case tflite.Int32:
			return float64(int32(binary.LittleEndian.Uint32(raw[4*k:])))
		case tflite.Int64:
			return float64(int64(binary.LittleEndian.Uint64(raw[8*k:])))
		case tflite.Float16:
			return float64(halfToFloat(binary.LittleEndian.Uint16(raw[2*k:])))
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:])))
	}
	if t.Type != tflite.Float32 && t.Type != tflite.Float16 && t.Type != tflite.Uint8 && t.Type != tflite.Int8 && t.Type != tflite.Int32 && t.Type != tflite.Int64 {
		return nil, fmt.Errorf("%w: constant %s of type %v", inference.ErrUnsupported, t.Name, t.Type)
	}
	q := t.Quant
	quantised := q != nil && t.Type != tflite.Float32 && t.Type != tflite.Float16
	// Elements per channel step: per-channel parameters vary along q.Dim.
	inner := 1
	if quantised && len(q.Scale) > 1 {
		for _, d := range t.Shape[q.Dim+1:] {
			inner *= int(d)
		}
	}
	for k := range out {
		v := raws(k)
		if quantised {
			ch := 0
			if len(q.Scale) > 1 {
				ch = (k / inner) % len(q.Scale)
			}
			zp := int64(0)
			if ch < len(q.ZeroPoint) {
				zp = q.ZeroPoint[ch]
			}
			v = float64(q.Scale[ch]) * (v - float64(zp))
		}
		out[k] = float32(v)
	}
	return out, nil
}

// floatBytes encodes float32 values in TFLite's little-endian layout.
func floatBytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for k, f := range v {
		binary.LittleEndian.PutUint32(b[4*k:], math.Float32bits(f))
	}
	return b
}

// halfToFloat converts an IEEE 754 half-precision value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac/1024 * 2^-14
		v := float32(frac) / 1024 / 16384
		if sign != 0 {
			v = -v
		}
		return v
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
