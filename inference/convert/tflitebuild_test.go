package convert

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference/tflite"
)

// This file writes small TFLite models for the tests: a FlatBuffer writer, and a model
// description whose bytes follow the TFLite schema (tensorflow/lite/schema/schema.fbs).

// fbObject is an object that fbWriter can place in a FlatBuffer: fbTable, fbVector, fbRefs
// or fbString.
type fbObject interface {
	place(w *fbWriter) int
}

// fbWriter lays a FlatBuffer out front to back. Every object is written before the objects
// it refers to, so all offsets point forward, as the format's unsigned offsets require.
type fbWriter struct{ buf []byte }

// pad appends zeros until len(buf)+extra is a multiple of align.
func (w *fbWriter) pad(align, extra int) {
	for (len(w.buf)+extra)%align != 0 {
		w.buf = append(w.buf, 0)
	}
}

// patch stores at pos the offset from pos to target.
func (w *fbWriter) patch(pos, target int) {
	binary.LittleEndian.PutUint32(w.buf[pos:], uint32(target-pos))
}

// fbFile encodes a FlatBuffer with the given root table and 4-byte file identifier.
func fbFile(root fbTable, ident string) []byte {
	w := &fbWriter{buf: make([]byte, 8)}
	copy(w.buf[4:], ident)
	w.patch(0, root.place(w))
	return w.buf
}

// fbField is one field of a table: an inline scalar of at most 4 little-endian bytes, or a
// reference to another object.
type fbField struct {
	id     int
	scalar []byte
	ref    fbObject
}

// fbU8 is a uint8 (or enum) field.
func fbU8(id int, v uint8) fbField { return fbField{id: id, scalar: []byte{v}} }

// fbI32 is an int32 (or uint32) field.
func fbI32(id int, v int32) fbField {
	return fbField{id: id, scalar: binary.LittleEndian.AppendUint32(nil, uint32(v))}
}

// fbF32 is a float32 field.
func fbF32(id int, v float32) fbField {
	return fbField{id: id, scalar: binary.LittleEndian.AppendUint32(nil, math.Float32bits(v))}
}

// fbRef is a field referring to a table, vector or string.
func fbRef(id int, o fbObject) fbField { return fbField{id: id, ref: o} }

// fbTable is a table; each field takes a 4-byte slot after the table's vtable offset.
type fbTable []fbField

func (t fbTable) place(w *fbWriter) int {
	maxID := -1
	for _, f := range t {
		maxID = max(maxID, f.id)
	}
	slots := make([]uint16, maxID+1)
	for k, f := range t {
		slots[f.id] = uint16(4 + 4*k)
	}
	w.pad(2, 0)
	vt := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(4+2*len(slots)))
	w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(4+4*len(t)))
	for _, s := range slots {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, s)
	}
	w.pad(4, 0)
	pos := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(int32(pos-vt)))
	for _, f := range t {
		slot := make([]byte, 4)
		copy(slot, f.scalar)
		w.buf = append(w.buf, slot...)
	}
	for k, f := range t {
		if f.ref != nil {
			w.patch(pos+4+4*k, f.ref.place(w))
		}
	}
	return pos
}

// fbVector is a vector of n scalars held in data, its first element aligned to align bytes.
type fbVector struct {
	data  []byte
	n     int
	align int
}

func (v fbVector) place(w *fbWriter) int {
	w.pad(max(v.align, 4), 4)
	pos := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(v.n))
	w.buf = append(w.buf, v.data...)
	return pos
}

// fbRefs is a vector of references to objects (a vector of tables, in practice).
type fbRefs []fbObject

func (r fbRefs) place(w *fbWriter) int {
	w.pad(4, 0)
	pos := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(r)))
	w.buf = append(w.buf, make([]byte, 4*len(r))...)
	for k, o := range r {
		w.patch(pos+4+4*k, o.place(w))
	}
	return pos
}

// fbString is a zero-terminated string.
type fbString string

func (s fbString) place(w *fbWriter) int {
	w.pad(4, 0)
	pos := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, 0)
	return pos
}

// i32Vector is a vector of int32.
func i32Vector(v []int32) fbVector { return fbVector{data: int32s(v...), n: len(v), align: 4} }

// floats encodes float32 values in TFLite's little-endian layout; int32s, int64s, int8s
// and halves (float16 bit patterns) do the same for their types.
func floats(v ...float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

func int32s(v ...int32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

func int64s(v ...int64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func int8s(v ...int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

func halves(v ...uint16) []byte {
	b := make([]byte, 0, 2*len(v))
	for _, h := range v {
		b = binary.LittleEndian.AppendUint16(b, h)
	}
	return b
}

// spec is a tensor's element type, shape and quantisation.
type spec struct {
	typ   tflite.TensorType
	shape []int32
	quant *tflite.Quantization
}

// f32 is a float32 spec of the given shape.
func f32(shape ...int32) spec { return spec{typ: tflite.Float32, shape: shape} }

// i32 is an int32 spec of the given shape.
func i32(shape ...int32) spec { return spec{typ: tflite.Int32, shape: shape} }

// f16 is a float16 spec of the given shape.
func f16(shape ...int32) spec { return spec{typ: tflite.Float16, shape: shape} }

// quantized returns a per-tensor quantised spec: real = scale * (q - zp).
func quantized(typ tflite.TensorType, scale float32, zp int64, shape ...int32) spec {
	return spec{typ: typ, shape: shape, quant: &tflite.Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zp}}}
}

// perChannel returns a spec quantised with one scale per index of dimension dim and zero
// points of 0.
func perChannel(typ tflite.TensorType, dim int32, scales []float32, shape ...int32) spec {
	return spec{typ: typ, shape: shape, quant: &tflite.Quantization{Scale: scales, ZeroPoint: make([]int64, len(scales)), Dim: dim}}
}

// tfModel describes a TFLite model with one subgraph; bytes encodes it.
type tfModel struct {
	tensors         []tfTensor
	inputs, outputs []int32
	ops             []tfOp
	metadata        []byte // TFLite metadata (TFLITE_METADATA), when set
}

type tfTensor struct {
	name string
	spec
	data []byte // constant contents; nil for a tensor computed by the graph
}

type tfOp struct {
	code            tflite.BuiltinOp
	custom          string // custom code when code is tflite.Custom
	opts            tfOptions
	customOpts      []byte
	inputs, outputs []int32
}

// tfOptions is a builtin options table and its BuiltinOptions union type (0: no options).
type tfOptions struct {
	kind   uint8
	fields fbTable
}

// BuiltinOptions union types (schema union BuiltinOptions, numbered from 1 in order).
const (
	optConv2D          = 1
	optDepthwiseConv2D = 2
	optPool2D          = 5
	optFullyConnected  = 8
	optSoftmax         = 9
	optConcatenation   = 10
	optAdd             = 11
	optResizeBilinear  = 15
	optReshape         = 17
	optMul             = 21
	optPad             = 22
	optTranspose       = 26
	optReducer         = 27
	optSub             = 28
	optDiv             = 29
	optSqueeze         = 30
	optArgMax          = 40
	optExpandDims      = 52
	optPack            = 59
	optUnpack          = 64
	optFloorDiv        = 65
	optGatherNd        = 83
)

// convOpts is a Conv2DOptions table.
func convOpts(p tflite.Padding, strideH, strideW int32, act tflite.Activation) tfOptions {
	return tfOptions{optConv2D, fbTable{fbU8(0, uint8(p)), fbI32(1, strideW), fbI32(2, strideH), fbU8(3, uint8(act))}}
}

// dilatedConvOpts is a Conv2DOptions table with stride 1, no activation and dilations.
func dilatedConvOpts(p tflite.Padding, dilationH, dilationW int32) tfOptions {
	o := convOpts(p, 1, 1, tflite.ActNone)
	o.fields = append(o.fields, fbI32(4, dilationW), fbI32(5, dilationH))
	return o
}

// depthwiseOpts is a DepthwiseConv2DOptions table with the same stride on both axes.
func depthwiseOpts(p tflite.Padding, stride, multiplier int32, act tflite.Activation) tfOptions {
	return tfOptions{optDepthwiseConv2D, fbTable{fbU8(0, uint8(p)), fbI32(1, stride), fbI32(2, stride), fbI32(3, multiplier), fbU8(4, uint8(act))}}
}

// poolOpts is a Pool2DOptions table with a square filter and the same stride on both axes.
func poolOpts(p tflite.Padding, stride, filter int32, act tflite.Activation) tfOptions {
	return tfOptions{optPool2D, fbTable{fbU8(0, uint8(p)), fbI32(1, stride), fbI32(2, stride), fbI32(3, filter), fbI32(4, filter), fbU8(5, uint8(act))}}
}

// actOpts is an options table whose only field is the fused activation (AddOptions,
// MulOptions, FullyConnectedOptions...).
func actOpts(kind uint8, act tflite.Activation) tfOptions {
	return tfOptions{kind, fbTable{fbU8(0, uint8(act))}}
}

// concatOpts is a ConcatenationOptions table.
func concatOpts(axis int32, act tflite.Activation) tfOptions {
	return tfOptions{optConcatenation, fbTable{fbI32(0, axis), fbU8(1, uint8(act))}}
}

// softmaxOpts is a SoftmaxOptions table.
func softmaxOpts(beta float32) tfOptions { return tfOptions{optSoftmax, fbTable{fbF32(0, beta)}} }

// reshapeOpts is a ReshapeOptions table with new_shape.
func reshapeOpts(shape ...int32) tfOptions {
	return tfOptions{optReshape, fbTable{fbRef(0, i32Vector(shape))}}
}

// squeezeOpts is a SqueezeOptions table with squeeze_dims.
func squeezeOpts(dims ...int32) tfOptions {
	return tfOptions{optSqueeze, fbTable{fbRef(0, i32Vector(dims))}}
}

// resizeOpts is a ResizeBilinearOptions table (fields 0 and 1 are deprecated).
func resizeOpts(alignCorners, halfPixelCenters bool) tfOptions {
	return tfOptions{optResizeBilinear, fbTable{fbBool(2, alignCorners), fbBool(3, halfPixelCenters)}}
}

// reducerOpts is a ReducerOptions table, as written for MEAN.
func reducerOpts(keepDims bool) tfOptions { return tfOptions{optReducer, fbTable{fbBool(0, keepDims)}} }

// argMaxOpts is an ArgMaxOptions table.
func argMaxOpts(outputType tflite.TensorType) tfOptions {
	return tfOptions{optArgMax, fbTable{fbU8(0, uint8(outputType))}}
}

// countAxisOpts is a PackOptions (values_count, axis) or UnpackOptions (num, axis) table.
func countAxisOpts(kind uint8, count, axis int32) tfOptions {
	return tfOptions{kind, fbTable{fbI32(0, count), fbI32(1, axis)}}
}

// fbBool is a bool field.
func fbBool(id int, v bool) fbField {
	if v {
		return fbU8(id, 1)
	}
	return fbU8(id, 0)
}

// emptyOpts is an options table without fields, as written for PAD or TRANSPOSE.
func emptyOpts(kind uint8) tfOptions { return tfOptions{kind, fbTable{}} }

// add appends a tensor and returns its index.
func (m *tfModel) add(t tfTensor) int32 {
	m.tensors = append(m.tensors, t)
	return int32(len(m.tensors) - 1)
}

// input adds a tensor the graph takes as input.
func (m *tfModel) input(name string, s spec) int32 {
	i := m.add(tfTensor{name: name, spec: s})
	m.inputs = append(m.inputs, i)
	return i
}

// tensor adds a tensor that an operator computes.
func (m *tfModel) tensor(name string, s spec) int32 { return m.add(tfTensor{name: name, spec: s}) }

// constant adds a tensor holding data.
func (m *tfModel) constant(name string, s spec, data []byte) int32 {
	return m.add(tfTensor{name: name, spec: s, data: data})
}

// op appends a builtin operator.
func (m *tfModel) op(code tflite.BuiltinOp, opts tfOptions, inputs []int32, outputs ...int32) {
	m.ops = append(m.ops, tfOp{code: code, opts: opts, inputs: inputs, outputs: outputs})
}

// output marks tensors as outputs of the graph.
func (m *tfModel) output(ts ...int32) { m.outputs = append(m.outputs, ts...) }

// bytes encodes the model as a TFLite file (schema version 3). Buffer 0 is the empty
// sentinel; every constant gets a buffer of its own.
func (m *tfModel) bytes() []byte {
	type opKey struct {
		code   tflite.BuiltinOp
		custom string
	}
	var codes fbRefs
	codeIndex := map[opKey]uint32{}
	buffers := fbRefs{fbTable{}}
	var tensors, operators fbRefs
	for _, t := range m.tensors {
		fields := fbTable{
			fbRef(0, i32Vector(t.shape)),
			fbU8(1, uint8(t.typ)),
			fbRef(3, fbString(t.name)),
		}
		if t.data != nil {
			fields = append(fields, fbField{id: 2, scalar: binary.LittleEndian.AppendUint32(nil, uint32(len(buffers)))})
			buffers = append(buffers, fbTable{fbRef(0, fbVector{data: t.data, n: len(t.data), align: 16})})
		}
		if q := t.quant; q != nil {
			fields = append(fields, fbRef(4, fbTable{
				fbRef(2, fbVector{data: floats(q.Scale...), n: len(q.Scale), align: 4}),
				fbRef(3, fbVector{data: int64s(q.ZeroPoint...), n: len(q.ZeroPoint), align: 8}),
				fbI32(6, q.Dim),
			}))
		}
		tensors = append(tensors, fields)
	}
	for _, op := range m.ops {
		key := opKey{op.code, op.custom}
		idx, ok := codeIndex[key]
		if !ok {
			idx = uint32(len(codes))
			codeIndex[key] = idx
			code := fbTable{
				fbU8(0, uint8(min(op.code, 127))), // deprecated_builtin_code
				fbI32(2, 1),                       // version
				fbI32(3, int32(op.code)),          // builtin_code
			}
			if op.custom != "" {
				code = append(code, fbRef(1, fbString(op.custom)))
			}
			codes = append(codes, code)
		}
		fields := fbTable{
			fbI32(0, int32(idx)),
			fbRef(1, i32Vector(op.inputs)),
			fbRef(2, i32Vector(op.outputs)),
		}
		if op.opts.kind != 0 {
			fields = append(fields, fbU8(3, op.opts.kind), fbRef(4, op.opts.fields))
		}
		if op.customOpts != nil {
			fields = append(fields, fbRef(5, fbVector{data: op.customOpts, n: len(op.customOpts), align: 1}))
		}
		operators = append(operators, fields)
	}
	subgraph := fbTable{
		fbRef(0, tensors),
		fbRef(1, i32Vector(m.inputs)),
		fbRef(2, i32Vector(m.outputs)),
		fbRef(3, operators),
		fbRef(4, fbString("main")),
	}
	root := fbTable{
		fbI32(0, 3), // schema version
		fbRef(1, codes),
		fbRef(2, fbRefs{subgraph}),
		fbRef(3, fbString("visiond converter test")),
	}
	if m.metadata != nil { // Model.metadata: [Metadata {name, buffer}]
		entry := fbTable{fbRef(0, fbString("TFLITE_METADATA")), fbField{id: 1, scalar: binary.LittleEndian.AppendUint32(nil, uint32(len(buffers)))}}
		buffers = append(buffers, fbTable{fbRef(0, fbVector{data: m.metadata, n: len(m.metadata), align: 16})})
		root = append(root, fbRef(6, fbRefs{entry}))
	}
	return fbFile(append(root, fbRef(4, buffers)), "TFL3")
}

// normalizationMetadata is TFLite metadata (a ModelMetadata FlatBuffer, tflite-support's
// metadata_schema.fbs) that gives the first input of the first subgraph NormalizationOptions.
func normalizationMetadata(mean, std []float32) []byte {
	options := fbTable{
		fbRef(0, fbVector{data: floats(mean...), n: len(mean), align: 4}),
		fbRef(1, fbVector{data: floats(std...), n: len(std), align: 4}),
	}
	unit := fbTable{fbU8(0, 1), fbRef(1, options)}             // ProcessUnit {options: NormalizationOptions}
	input := fbTable{fbRef(4, fbRefs{unit})}                   // TensorMetadata.process_units
	subgraph := fbTable{fbRef(2, fbRefs{input})}               // SubGraphMetadata.input_tensor_metadata
	return fbFile(fbTable{fbRef(3, fbRefs{subgraph})}, "M001") // ModelMetadata.subgraph_metadata
}

// TestModelBuilder checks that the TFLite reader reads back what the test builder writes,
// so that the converter tests below exercise the models they describe.
func TestModelBuilder(t *testing.T) {
	m := &tfModel{}
	x := m.input("x", quantized(tflite.Uint8, 0.5, 128, 1, 2, 2, 3))
	w := m.constant("w", perChannel(tflite.Int8, 3, []float32{0.25, 0.5, 1}, 1, 1, 1, 3), int8s(1, -2, 3))
	y := m.tensor("y", quantized(tflite.Uint8, 0.5, 128, 1, 2, 2, 3))
	z := m.tensor("z", f32(1, 12))
	m.op(tflite.DepthwiseConv2D, depthwiseOpts(tflite.Valid, 2, 1, tflite.ActRelu6), []int32{x, w, -1}, y)
	m.op(tflite.Reshape, reshapeOpts(1, 12), []int32{y}, z)
	m.ops = append(m.ops, tfOp{code: tflite.Custom, custom: "Custom_Op", customOpts: []byte{7, 8, 9}, inputs: []int32{z}, outputs: []int32{m.tensor("c", f32(1))}})
	m.op(tflite.BuiltinOp(150), tfOptions{}, []int32{z}, m.tensor("h", f32(1, 12)))
	m.output(z)

	got, err := tflite.Parse(m.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || len(got.Subgraphs) != 1 || len(got.Buffers) != 2 || len(got.Buffers[0]) != 0 {
		t.Fatalf("model: version %d, %d subgraphs, %d buffers", got.Version, len(got.Subgraphs), len(got.Buffers))
	}
	wantCodes := []tflite.OperatorCode{
		{Builtin: tflite.DepthwiseConv2D, Version: 1},
		{Builtin: tflite.Reshape, Version: 1},
		{Builtin: tflite.Custom, Custom: "Custom_Op", Version: 1},
		{Builtin: tflite.BuiltinOp(150), Version: 1}, // beyond the deprecated byte code
	}
	if !slices.Equal(got.OperatorCodes, wantCodes) {
		t.Errorf("operator codes %+v, want %+v", got.OperatorCodes, wantCodes)
	}
	g := got.Subgraphs[0]
	if g.Name != "main" || !slices.Equal(g.Inputs, []int32{0}) || !slices.Equal(g.Outputs, []int32{3}) || len(g.Tensors) != 6 || len(g.Operators) != 4 {
		t.Fatalf("subgraph %q: inputs %v outputs %v, %d tensors, %d operators", g.Name, g.Inputs, g.Outputs, len(g.Tensors), len(g.Operators))
	}
	tw := g.Tensors[1]
	if tw.Name != "w" || tw.Type != tflite.Int8 || !slices.Equal(tw.Shape, []int32{1, 1, 1, 3}) || tw.Buffer != 1 ||
		!slices.Equal(tw.Quant.Scale, []float32{0.25, 0.5, 1}) || !slices.Equal(tw.Quant.ZeroPoint, []int64{0, 0, 0}) || tw.Quant.Dim != 3 {
		t.Errorf("tensor w = %+v, quant %+v", tw, tw.Quant)
	}
	if data, err := got.Data(&tw); err != nil || !slices.Equal(data, int8s(1, -2, 3)) {
		t.Errorf("data of w = %v, %v", data, err)
	}
	if tx := g.Tensors[0]; tx.Buffer != 0 || tx.Quant.ZeroPoint[0] != 128 {
		t.Errorf("tensor x = %+v, quant %+v", tx, tx.Quant)
	}
	dw := g.Operators[0]
	if !slices.Equal(dw.Inputs, []int32{0, 1, -1}) || !slices.Equal(dw.Outputs, []int32{2}) {
		t.Errorf("depthwise inputs %v outputs %v", dw.Inputs, dw.Outputs)
	}
	o, err := dw.Options.DepthwiseConv2D()
	want := tflite.Conv2DOptions{Padding: tflite.Valid, StrideW: 2, StrideH: 2, DilationW: 1, DilationH: 1, DepthMultiplier: 1, Activation: tflite.ActRelu6}
	if err != nil || o != want {
		t.Errorf("depthwise options %+v, %v; want %+v", o, err, want)
	}
	if shape, err := g.Operators[1].Options.Reshape(); err != nil || !slices.Equal(shape, []int32{1, 12}) {
		t.Errorf("reshape new_shape %v, %v", shape, err)
	}
	if c := g.Operators[2]; c.Opcode != 2 || !slices.Equal(c.Custom, []byte{7, 8, 9}) {
		t.Errorf("custom operator %+v", c)
	}
}

// TestOptionAccessors checks that the options accessors read the fields of the TFLite schema
// that the test builder writes.
func TestOptionAccessors(t *testing.T) {
	m := &tfModel{}
	x := m.input("x", f32(1, 2, 2, 1))
	for _, o := range []tfOptions{
		resizeOpts(true, false), resizeOpts(false, true), reducerOpts(true), argMaxOpts(tflite.Int64),
		countAxisOpts(optPack, 3, -1), countAxisOpts(optUnpack, 2, 1),
	} {
		m.op(tflite.Add, o, []int32{x, x}, m.tensor("y", f32(1, 2, 2, 1)))
	}
	m.op(tflite.Add, tfOptions{}, []int32{x, x}, m.tensor("y", f32(1, 2, 2, 1)))
	m.output(x)
	ops := parse(t, m).Subgraphs[0].Operators
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	r, err := ops[0].Options.ResizeBilinear()
	check("ResizeBilinear", r, tflite.ResizeBilinearOptions{AlignCorners: true}, err)
	r, err = ops[1].Options.ResizeBilinear()
	check("ResizeBilinear", r, tflite.ResizeBilinearOptions{HalfPixelCenters: true}, err)
	keep, err := ops[2].Options.Reducer()
	check("Reducer", keep, true, err)
	typ, err := ops[3].Options.ArgMax()
	check("ArgMax", typ, tflite.Int64, err)
	n, axis, err := ops[4].Options.Pack()
	check("Pack", [2]int32{n, axis}, [2]int32{3, -1}, err)
	n, axis, err = ops[5].Options.Unpack()
	check("Unpack", [2]int32{n, axis}, [2]int32{2, 1}, err)
	// Without an options table every field has its schema default.
	r, err = ops[6].Options.ResizeBilinear()
	check("default ResizeBilinear", r, tflite.ResizeBilinearOptions{}, err)
	typ, err = ops[6].Options.ArgMax()
	check("default ArgMax", typ, tflite.Float32, err)
}
