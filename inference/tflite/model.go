// Package tflite reads TensorFlow Lite model files. The reader checks every offset and length
// against the file, so a truncated, corrupt or hostile file is an error, never a panic or an
// out-of-range read. Constant data is not copied: Buffers slice the file's bytes.
package tflite

import (
	"bytes"
	"fmt"

	"github.com/visiond/visiond/inference"
)

// TensorType is a TFLite tensor element type.
type TensorType uint8

// TFLite tensor element types (schema enum TensorType).
const (
	Float32 TensorType = 0
	Float16 TensorType = 1
	Int32   TensorType = 2
	Uint8   TensorType = 3
	Int64   TensorType = 4
	String  TensorType = 5
	Bool    TensorType = 6
	Int16   TensorType = 7
	Int8    TensorType = 9
)

var typeNames = map[TensorType]string{
	Float32: "float32", Float16: "float16", Int32: "int32", Uint8: "uint8", Int64: "int64",
	String: "string", Bool: "bool", Int16: "int16", Int8: "int8",
}

// String names the type.
func (t TensorType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Size returns the byte size of one element, or 0 for types without a fixed size.
func (t TensorType) Size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Float16, Int16:
		return 2
	case Float32, Int32:
		return 4
	case Int64:
		return 8
	}
	return 0
}

// Model is a decoded TFLite model.
type Model struct {
	Version       uint32
	Description   string
	OperatorCodes []OperatorCode
	Subgraphs     []Subgraph
	// Buffers hold constant tensor data; they slice the file's bytes and must not be modified.
	Buffers [][]byte
	// Metadata are the model's named metadata buffers (such as TFLITE_METADATA), slicing the
	// file's bytes.
	Metadata map[string][]byte
}

// OperatorCode names the operator an Operator runs.
type OperatorCode struct {
	Builtin BuiltinOp
	Custom  string // set when Builtin is Custom
	Version int32
}

// Name returns the builtin operator's name or the custom operator's code.
func (c OperatorCode) Name() string {
	if c.Builtin == Custom {
		return c.Custom
	}
	return c.Builtin.String()
}

// Subgraph is one graph of the model; the first is the main one.
type Subgraph struct {
	Name      string
	Tensors   []Tensor
	Inputs    []int32
	Outputs   []int32
	Operators []Operator
}

// Tensor describes one tensor of a subgraph.
type Tensor struct {
	Name   string
	Shape  []int32
	Type   TensorType
	Buffer uint32 // index into Model.Buffers; 0 means no constant data
	Quant  *Quantization
}

// Quantization holds affine quantisation parameters: real = Scale * (q - ZeroPoint), per
// tensor (one value) or per channel along Dim.
type Quantization struct {
	Scale     []float32
	ZeroPoint []int64
	Dim       int32
}

// Operator is one node of a subgraph. Inputs and outputs index Subgraph.Tensors; -1 marks
// an omitted optional input.
type Operator struct {
	Opcode  uint32
	Inputs  []int32
	Outputs []int32
	// Options holds the builtin options table, decoded by the typed accessors in options.go.
	Options Options
	// Custom holds a custom operator's options (a FlexBuffer), referencing the file's bytes.
	Custom []byte
}

const maxSubgraphs = 64

// Parse decodes a TFLite model held in data. The returned Model refers to data, which must
// stay unchanged while the model is in use.
func Parse(data []byte) (*Model, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: %d bytes is too short for a TFLite file", inference.ErrBadModel, len(data))
	}
	if !bytes.Equal(data[4:8], []byte("TFL3")) {
		return nil, fmt.Errorf("%w: not a TFLite file (no TFL3 identifier)", inference.ErrBadModel)
	}
	r := &reader{b: data}
	m, err := r.model()
	if err != nil {
		return nil, fmt.Errorf("%w: corrupt TFLite file: %v", inference.ErrBadModel, err)
	}
	return m, nil
}

func (r *reader) model() (*Model, error) {
	root := r.table(r.deref(0))
	m := &Model{
		Version:     r.fieldU32(root, 0, 0),
		Description: r.fieldString(root, 3),
	}
	for _, t := range r.fieldTables(root, 1) {
		m.OperatorCodes = append(m.OperatorCodes, r.operatorCode(t))
	}
	for _, t := range r.fieldTables(root, 4) {
		m.Buffers = append(m.Buffers, r.buffer(t))
	}
	for _, t := range r.fieldTables(root, 6) { // Metadata {name, buffer}
		name, idx := r.fieldString(t, 0), r.fieldU32(t, 1, 0)
		if int64(idx) < int64(len(m.Buffers)) {
			if m.Metadata == nil {
				m.Metadata = map[string][]byte{}
			}
			m.Metadata[name] = m.Buffers[idx]
		}
	}
	subgraphs := r.fieldTables(root, 2)
	if len(subgraphs) > maxSubgraphs {
		r.fail("%d subgraphs is more than the %d supported", len(subgraphs), maxSubgraphs)
	}
	for _, t := range subgraphs {
		if r.err != nil {
			break
		}
		m.Subgraphs = append(m.Subgraphs, r.subgraph(t))
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(m.Subgraphs) == 0 {
		return nil, fmt.Errorf("no subgraphs")
	}
	return m, m.check()
}

func (r *reader) operatorCode(t table) OperatorCode {
	// The builtin code lives in the old byte field 0 for codes below 127 and in the int32
	// field 3 for newer files; the larger of the two is the real one.
	code := int32(int8(r.fieldU8(t, 0, 0)))
	if c := r.fieldI32(t, 3, 0); c > code {
		code = c
	}
	return OperatorCode{
		Builtin: BuiltinOp(code),
		Custom:  r.fieldString(t, 1),
		Version: r.fieldI32(t, 2, 1),
	}
}

func (r *reader) buffer(t table) []byte {
	if data := r.fieldBytes(t, 0); data != nil {
		return data
	}
	// Files over 2 GiB keep buffers outside the FlatBuffer, at an offset of the file.
	off, size := r.fieldU64(t, 1, 0), r.fieldU64(t, 2, 0)
	if off <= 1 || size == 0 || r.err != nil {
		return nil
	}
	if off > uint64(len(r.b)) || size > uint64(len(r.b))-off {
		r.fail("buffer at offset %d of %d bytes lies outside the file", off, size)
		return nil
	}
	return r.b[off : off+size : off+size]
}

func (r *reader) subgraph(t table) Subgraph {
	g := Subgraph{
		Name:    r.fieldString(t, 4),
		Inputs:  r.fieldI32s(t, 1),
		Outputs: r.fieldI32s(t, 2),
	}
	for _, tt := range r.fieldTables(t, 0) {
		g.Tensors = append(g.Tensors, r.tensor(tt))
	}
	for _, ot := range r.fieldTables(t, 3) {
		g.Operators = append(g.Operators, r.operator(ot))
	}
	return g
}

func (r *reader) tensor(t table) Tensor {
	tn := Tensor{
		Shape:  r.fieldI32s(t, 0),
		Type:   TensorType(r.fieldU8(t, 1, 0)),
		Buffer: r.fieldU32(t, 2, 0),
		Name:   r.fieldString(t, 3),
	}
	if qt, ok := r.fieldTable(t, 4); ok {
		q := &Quantization{
			Scale:     r.fieldF32s(qt, 2),
			ZeroPoint: r.fieldI64s(qt, 3),
			Dim:       r.fieldI32(qt, 6, 0),
		}
		if len(q.Scale) > 0 {
			tn.Quant = q
		}
	}
	return tn
}

func (r *reader) operator(t table) Operator {
	op := Operator{
		Opcode:  r.fieldU32(t, 0, 0),
		Inputs:  r.fieldI32s(t, 1),
		Outputs: r.fieldI32s(t, 2),
		Custom:  r.fieldBytes(t, 5),
	}
	op.Options.kind = r.fieldU8(t, 3, 0)
	if ot, ok := r.fieldTable(t, 4); ok {
		op.Options.r = &reader{b: r.b}
		op.Options.t = ot
	}
	return op
}

// check validates the cross references: tensor, buffer and opcode indices, and quantisation.
func (m *Model) check() error {
	for gi, g := range m.Subgraphs {
		nt := int32(len(g.Tensors))
		inRange := func(idx []int32, optional bool) bool {
			for _, i := range idx {
				if i >= nt || i < -1 || (i == -1 && !optional) {
					return false
				}
			}
			return true
		}
		if !inRange(g.Inputs, false) || !inRange(g.Outputs, false) {
			return fmt.Errorf("subgraph %d: input or output index out of range", gi)
		}
		for ti, t := range g.Tensors {
			if int(t.Buffer) >= len(m.Buffers) && t.Buffer != 0 {
				return fmt.Errorf("subgraph %d tensor %d (%s): buffer %d out of range", gi, ti, t.Name, t.Buffer)
			}
			for _, d := range t.Shape {
				if d < -1 {
					return fmt.Errorf("subgraph %d tensor %d (%s): negative dimension %d", gi, ti, t.Name, d)
				}
			}
			if q := t.Quant; q != nil {
				if len(q.ZeroPoint) != 0 && len(q.ZeroPoint) != len(q.Scale) {
					return fmt.Errorf("tensor %s: %d scales but %d zero points", t.Name, len(q.Scale), len(q.ZeroPoint))
				}
				if len(q.Scale) > 1 && (q.Dim < 0 || int(q.Dim) >= len(t.Shape) || int(t.Shape[q.Dim]) != len(q.Scale)) {
					return fmt.Errorf("tensor %s: %d per-channel scales do not fit dimension %d of %v", t.Name, len(q.Scale), q.Dim, t.Shape)
				}
			}
		}
		for oi, op := range g.Operators {
			if int(op.Opcode) >= len(m.OperatorCodes) {
				return fmt.Errorf("subgraph %d operator %d: opcode index %d out of range", gi, oi, op.Opcode)
			}
			if !inRange(op.Inputs, true) || !inRange(op.Outputs, false) {
				return fmt.Errorf("subgraph %d operator %d (%s): tensor index out of range", gi, oi, m.OperatorCodes[op.Opcode].Name())
			}
		}
	}
	return nil
}

// Data returns the constant bytes of tensor t, or nil when it has none. The length is
// checked against the tensor's shape and type.
func (m *Model) Data(t *Tensor) ([]byte, error) {
	if t.Buffer == 0 || int(t.Buffer) >= len(m.Buffers) || len(m.Buffers[t.Buffer]) == 0 {
		return nil, nil
	}
	data := m.Buffers[t.Buffer]
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return nil, fmt.Errorf("%w: constant tensor %s has an unknown dimension", inference.ErrBadModel, t.Name)
		}
		n *= int(d)
		if n > len(data) {
			break
		}
	}
	if size := t.Type.Size(); size == 0 || n*size != len(data) {
		return nil, fmt.Errorf("%w: constant tensor %s holds %d bytes, shape %v of %v needs %d", inference.ErrBadModel, t.Name, len(data), t.Shape, t.Type, n*t.Type.Size())
	}
	return data, nil
}
