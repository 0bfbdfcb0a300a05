package onnx

import (
	"fmt"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// A strict decoder for the subset of onnx.proto that Marshal writes. It rejects any field
// number it does not expect, so a wrong number in the encoder shows up as a test failure.

type model struct {
	IR       int64
	Producer string
	Opsets   []opsetID
	Graph    graph
}

type opsetID struct {
	Domain  string
	Version int64
}

type graph struct {
	Name    string
	Nodes   []nodeProto
	Inits   []tensorProto
	Inputs  []valueProto
	Outputs []valueProto
}

type nodeProto struct {
	Name, Op string
	In, Out  []string
	Attrs    []attrProto
}

type attrProto struct {
	Name   string
	Type   int64
	F      float32
	I      int64
	S      string
	Floats []float32
	Ints   []int64
}

type tensorProto struct {
	Name string
	Type int64
	Dims []int64
	Raw  []byte
}

// valueProto renders each dimension as its value, its dim_param or "?" when unknown; Shape
// is nil when the type has no shape (unknown rank).
type valueProto struct {
	Name  string
	Type  int64
	Shape []string
}

type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64
	b   []byte
}

func fields(b []byte) ([]field, error) {
	var out []field
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.v = uint64(v)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		default:
			return nil, fmt.Errorf("field %d: unexpected wire type %d", num, typ)
		}
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		out = append(out, f)
	}
	return out, nil
}

// walk calls fn for each field of msg, checking its wire type against want.
func walk(msg []byte, want map[protowire.Number]protowire.Type, fn func(field) error) error {
	fs, err := fields(msg)
	if err != nil {
		return err
	}
	for _, f := range fs {
		typ, ok := want[f.num]
		if !ok {
			return fmt.Errorf("unexpected field %d", f.num)
		}
		if f.typ != typ { // repeated numbers are written unpacked, so packed ones fail here too
			return fmt.Errorf("field %d has wire type %d, want %d", f.num, f.typ, typ)
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("field %d: %w", f.num, err)
		}
	}
	return nil
}

const (
	varint = protowire.VarintType
	bytes  = protowire.BytesType
	fixed  = protowire.Fixed32Type
)

func decodeModel(b []byte) (model, error) {
	var m model
	err := walk(b, map[protowire.Number]protowire.Type{1: varint, 2: bytes, 7: bytes, 8: bytes}, func(f field) error {
		switch f.num {
		case 1:
			m.IR = int64(f.v)
		case 2:
			m.Producer = string(f.b)
		case 7:
			return decodeGraph(f.b, &m.Graph)
		case 8:
			var o opsetID
			m.Opsets = append(m.Opsets, o)
			return walk(f.b, map[protowire.Number]protowire.Type{1: bytes, 2: varint}, func(f field) error {
				if f.num == 1 {
					o.Domain = string(f.b)
				} else {
					o.Version = int64(f.v)
				}
				m.Opsets[len(m.Opsets)-1] = o
				return nil
			})
		}
		return nil
	})
	return m, err
}

func decodeGraph(b []byte, g *graph) error {
	return walk(b, map[protowire.Number]protowire.Type{1: bytes, 2: bytes, 5: bytes, 11: bytes, 12: bytes}, func(f field) error {
		switch f.num {
		case 1:
			n, err := decodeNode(f.b)
			g.Nodes = append(g.Nodes, n)
			return err
		case 2:
			g.Name = string(f.b)
		case 5:
			t, err := decodeTensor(f.b)
			g.Inits = append(g.Inits, t)
			return err
		case 11:
			v, err := decodeValue(f.b)
			g.Inputs = append(g.Inputs, v)
			return err
		case 12:
			v, err := decodeValue(f.b)
			g.Outputs = append(g.Outputs, v)
			return err
		}
		return nil
	})
}

func decodeNode(b []byte) (nodeProto, error) {
	var n nodeProto
	err := walk(b, map[protowire.Number]protowire.Type{1: bytes, 2: bytes, 3: bytes, 4: bytes, 5: bytes}, func(f field) error {
		switch f.num {
		case 1:
			n.In = append(n.In, string(f.b))
		case 2:
			n.Out = append(n.Out, string(f.b))
		case 3:
			n.Name = string(f.b)
		case 4:
			n.Op = string(f.b)
		case 5:
			a, err := decodeAttr(f.b)
			n.Attrs = append(n.Attrs, a)
			return err
		}
		return nil
	})
	return n, err
}

func decodeAttr(b []byte) (attrProto, error) {
	var a attrProto
	err := walk(b, map[protowire.Number]protowire.Type{1: bytes, 2: fixed, 3: varint, 4: bytes, 7: fixed, 8: varint, 20: varint}, func(f field) error {
		switch f.num {
		case 1:
			a.Name = string(f.b)
		case 2:
			a.F = math.Float32frombits(uint32(f.v))
		case 3:
			a.I = int64(f.v)
		case 4:
			a.S = string(f.b)
		case 7:
			a.Floats = append(a.Floats, math.Float32frombits(uint32(f.v)))
		case 8:
			a.Ints = append(a.Ints, int64(f.v))
		case 20:
			a.Type = int64(f.v)
		}
		return nil
	})
	return a, err
}

func decodeTensor(b []byte) (tensorProto, error) {
	var t tensorProto
	err := walk(b, map[protowire.Number]protowire.Type{1: varint, 2: varint, 8: bytes, 9: bytes}, func(f field) error {
		switch f.num {
		case 1:
			t.Dims = append(t.Dims, int64(f.v))
		case 2:
			t.Type = int64(f.v)
		case 8:
			t.Name = string(f.b)
		case 9:
			t.Raw = append([]byte{}, f.b...)
		}
		return nil
	})
	return t, err
}

// decodeValue reads ValueInfoProto → TypeProto → TypeProto.Tensor → TensorShapeProto.
func decodeValue(b []byte) (valueProto, error) {
	var v valueProto
	err := walk(b, map[protowire.Number]protowire.Type{1: bytes, 2: bytes}, func(f field) error {
		if f.num == 1 {
			v.Name = string(f.b)
			return nil
		}
		return walk(f.b, map[protowire.Number]protowire.Type{1: bytes}, func(f field) error {
			return walk(f.b, map[protowire.Number]protowire.Type{1: varint, 2: bytes}, func(f field) error {
				if f.num == 1 {
					v.Type = int64(f.v)
					return nil
				}
				v.Shape = []string{}
				return walk(f.b, map[protowire.Number]protowire.Type{1: bytes}, func(f field) error {
					dim := "?"
					err := walk(f.b, map[protowire.Number]protowire.Type{1: varint, 2: bytes}, func(f field) error {
						if f.num == 1 {
							dim = strconv.FormatInt(int64(f.v), 10)
						} else {
							dim = string(f.b)
						}
						return nil
					})
					v.Shape = append(v.Shape, dim)
					return err
				})
			})
		})
	})
	return v, err
}
