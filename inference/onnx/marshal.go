package onnx

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Values written into every model.
const (
	// IRVersion is the ONNX IR version of the models Marshal writes.
	IRVersion = 8
	// DefaultOpset is the default-domain opset Marshal imports when given 0.
	DefaultOpset = 13
	// Producer is the producer_name of the models Marshal writes.
	Producer = "visiond"
)

// Marshal checks the graph and encodes it as a whole ONNX ModelProto importing the given
// version of the default ("ai.onnx") opset; 0 means DefaultOpset. It fails if a builder call
// recorded a mistake, if a node or graph output reads a tensor that no graph input,
// initializer or earlier node produces, or if a tensor is produced twice.
func (g *Graph) Marshal(opset int64) ([]byte, error) {
	if g.err != nil {
		return nil, g.err
	}
	if opset == 0 {
		opset = DefaultOpset
	}
	if opset < 0 {
		return nil, fmt.Errorf("onnx: invalid opset %d", opset)
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	graph := g.encode()

	var head []byte
	head = appendVarint(head, 1, IRVersion)
	head = appendString(head, 2, Producer)
	head = appendMessage(head, 8, appendVarint(nil, 2, uint64(opset))) // OperatorSetIdProto, domain ""
	head = protowire.AppendTag(head, 7, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(graph.size))
	if len(head)+graph.size > math.MaxInt32 {
		return nil, fmt.Errorf("onnx: model of %d bytes exceeds the 2 GiB protobuf limit", len(head)+graph.size)
	}
	out := make([]byte, 0, len(head)+graph.size)
	out = append(out, head...)
	for _, p := range graph.parts {
		out = append(out, p...)
	}
	return out, nil
}

// check verifies that every tensor read is produced exactly once, before it is read.
func (g *Graph) check() error {
	producer := map[string]string{}
	define := func(name, by string) error {
		if name == "" {
			return fmt.Errorf("onnx: %s has an empty name", by)
		}
		if prev, ok := producer[name]; ok {
			return fmt.Errorf("onnx: tensor %q is produced twice, by %s and by %s", name, prev, by)
		}
		producer[name] = by
		return nil
	}
	for _, in := range g.inputs {
		if err := define(in.name, "a graph input"); err != nil {
			return err
		}
	}
	for _, t := range g.inits {
		if err := define(t.name, "an initializer"); err != nil {
			return err
		}
	}
	for _, n := range g.nodes {
		if n.opType == "" {
			return fmt.Errorf("onnx: node %s has no operator type", n.name)
		}
		for _, in := range n.inputs {
			if _, ok := producer[in]; in != "" && !ok {
				return fmt.Errorf("onnx: node %s reads %q, which no graph input, initializer or earlier node produces", n.name, in)
			}
		}
		if len(n.outputs) == 0 {
			return fmt.Errorf("onnx: node %s has no outputs", n.name)
		}
		for _, out := range n.outputs {
			if out == "" { // an omitted optional output
				continue
			}
			if err := define(out, "node "+n.name); err != nil {
				return err
			}
		}
	}
	for _, out := range g.outputs {
		if _, ok := producer[out.name]; !ok {
			return fmt.Errorf("onnx: graph output %q is produced by nothing", out.name)
		}
	}
	return nil
}

// chunks is an encoded message kept as a list of byte slices, so that initializer data is
// copied only once, into the final buffer.
type chunks struct {
	parts [][]byte
	size  int
}

func (c *chunks) add(b []byte) {
	c.parts = append(c.parts, b)
	c.size += len(b)
}

// encode writes the GraphProto.
func (g *Graph) encode() *chunks {
	c := &chunks{}
	for _, n := range g.nodes {
		c.add(appendMessage(nil, 1, encodeNode(n)))
	}
	c.add(appendString(nil, 2, g.name))
	for _, t := range g.inits {
		head := appendInt64s(nil, 1, t.dims)
		head = appendVarint(head, 2, uint64(t.dtype))
		head = appendString(head, 8, t.name)
		size := len(head) + protowire.SizeTag(9) + protowire.SizeBytes(len(t.raw))
		b := protowire.AppendTag(nil, 5, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(size))
		b = append(b, head...)
		b = protowire.AppendTag(b, 9, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(len(t.raw)))
		c.add(b)
		c.add(t.raw)
	}
	for _, v := range g.inputs {
		c.add(appendMessage(nil, 11, encodeValueInfo(v)))
	}
	for _, v := range g.outputs {
		c.add(appendMessage(nil, 12, encodeValueInfo(v)))
	}
	return c
}

// encodeNode writes a NodeProto.
func encodeNode(n node) []byte {
	var b []byte
	for _, in := range n.inputs {
		b = appendString(b, 1, in)
	}
	for _, out := range n.outputs {
		b = appendString(b, 2, out)
	}
	b = appendString(b, 3, n.name)
	b = appendString(b, 4, n.opType)
	for _, a := range n.attrs {
		b = appendMessage(b, 5, encodeAttr(a))
	}
	return b
}

// encodeAttr writes an AttributeProto. Repeated numbers are written unpacked, as proto2
// (the syntax of onnx.proto) does by default.
func encodeAttr(a Attr) []byte {
	b := appendString(nil, 1, a.name)
	b = appendVarint(b, 20, uint64(a.kind))
	switch a.kind {
	case attrFloat:
		b = appendFloat(b, 2, a.f)
	case attrInt:
		b = appendVarint(b, 3, uint64(a.i))
	case attrString:
		b = appendString(b, 4, a.s)
	case attrFloats:
		for _, f := range a.floats {
			b = appendFloat(b, 7, f)
		}
	case attrInts:
		b = appendInt64s(b, 8, a.ints)
	}
	return b
}

// encodeValueInfo writes a ValueInfoProto holding a tensor type.
func encodeValueInfo(v valueInfo) []byte {
	tensorType := appendVarint(nil, 1, uint64(v.dtype))
	if v.shape != nil {
		var shape []byte
		for axis, d := range v.shape {
			var dim []byte
			switch {
			case d >= 0:
				dim = appendVarint(dim, 1, uint64(d))
			case v.symbolic && axis == 0:
				dim = appendString(dim, 2, "N")
			case v.symbolic:
				dim = appendString(dim, 2, fmt.Sprintf("%s_dim%d", v.name, axis))
			}
			shape = appendMessage(shape, 1, dim)
		}
		tensorType = appendMessage(tensorType, 2, shape)
	}
	b := appendString(nil, 1, v.name)
	return appendMessage(b, 2, appendMessage(nil, 1, tensorType))
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendFloat(b []byte, num protowire.Number, f float32) []byte {
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(f))
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

// appendInt64s writes repeated int64 values unpacked, one tagged varint each.
func appendInt64s(b []byte, num protowire.Number, v []int64) []byte {
	for _, x := range v {
		b = appendVarint(b, num, uint64(x))
	}
	return b
}
