// Package onnx builds ONNX models in plain Go. A Graph collects inputs, outputs, initializers
// and nodes in topological order; Marshal checks that every tensor a node or output reads is
// produced by something earlier and encodes the whole ModelProto with protowire, so no
// generated protobuf code is needed.
package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// DataType is an element type, numbered as ONNX TensorProto.DataType.
type DataType int32

// Element types used by visiond models.
const (
	Float   DataType = 1
	Uint8   DataType = 2
	Int8    DataType = 3
	Int16   DataType = 5
	Int32   DataType = 6
	Int64   DataType = 7
	Bool    DataType = 9
	Float16 DataType = 10
)

// Size returns the number of bytes of one element, or 0 for a type this package does not know.
func (t DataType) Size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Int16, Float16:
		return 2
	case Float, Int32:
		return 4
	case Int64:
		return 8
	}
	return 0
}

// Graph is an ONNX graph under construction. Builder methods record the first mistake they
// see (a bad initializer size, say) and Marshal reports it, so a converter can chain calls
// without checking each one. A Graph is not safe for concurrent use.
type Graph struct {
	name    string
	inputs  []valueInfo
	outputs []valueInfo
	inits   []tensor
	nodes   []node
	used    map[string]bool // every tensor name mentioned so far, for UniqueName
	serial  int             // counter behind UniqueName and node names
	err     error
}

// valueInfo is a graph input or output. A nil shape means unknown rank.
type valueInfo struct {
	name     string
	dtype    DataType
	shape    []int64
	symbolic bool // negative dims become named dim_params (inputs) instead of unknown dims
}

type tensor struct {
	name  string
	dtype DataType
	dims  []int64
	raw   []byte
}

type node struct {
	name    string
	opType  string
	inputs  []string
	outputs []string
	attrs   []Attr
}

// NewGraph starts an empty graph with the given name.
func NewGraph(name string) *Graph {
	return &Graph{name: name, used: map[string]bool{}}
}

// Input declares a graph input. A negative dimension is left symbolic: the first axis is
// named "N" (the batch, shared by all inputs) and any other one "<name>_dim<axis>".
func (g *Graph) Input(name string, t DataType, shape []int64) {
	g.mark(name)
	g.inputs = append(g.inputs, valueInfo{name: name, dtype: t, shape: clone(shape), symbolic: true})
}

// Output declares a graph output. A nil shape means unknown rank and a negative dimension an
// unknown size; the runtime infers them from the graph.
func (g *Graph) Output(name string, t DataType, shape []int64) {
	g.mark(name)
	g.outputs = append(g.outputs, valueInfo{name: name, dtype: t, shape: clone(shape)})
}

// Initializer adds a constant tensor whose elements are raw, little-endian, in row-major
// order. The slice is kept, not copied: it must not change before Marshal returns.
func (g *Graph) Initializer(name string, t DataType, dims []int64, raw []byte) {
	g.mark(name)
	n, err := elements(dims)
	switch {
	case err != nil:
		g.fail(fmt.Errorf("onnx: initializer %q: %w", name, err))
	case t.Size() == 0:
		g.fail(fmt.Errorf("onnx: initializer %q: unsupported data type %d", name, t))
	case n*t.Size() != len(raw):
		g.fail(fmt.Errorf("onnx: initializer %q: dims %v need %d bytes, got %d", name, dims, n*t.Size(), len(raw)))
	}
	g.inits = append(g.inits, tensor{name: name, dtype: t, dims: clone(dims), raw: raw})
}

// FloatInit adds a float32 constant tensor.
func (g *Graph) FloatInit(name string, dims []int64, v []float32) {
	raw := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	g.Initializer(name, Float, dims, raw)
}

// Int64Init adds an int64 constant tensor, the type ONNX wants for shapes, axes and pads.
func (g *Graph) Int64Init(name string, dims []int64, v []int64) {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	g.Initializer(name, Int64, dims, raw)
}

// Node appends an operator of the default ONNX domain. Nodes must be added in topological
// order. An empty input name stands for an omitted optional input. The node's name is
// generated from its type.
func (g *Graph) Node(opType string, inputs, outputs []string, attrs ...Attr) {
	for _, name := range inputs {
		g.mark(name)
	}
	for _, name := range outputs {
		g.mark(name)
	}
	g.serial++
	g.nodes = append(g.nodes, node{
		name:    opType + "_" + strconv.Itoa(g.serial),
		opType:  opType,
		inputs:  clone(inputs),
		outputs: clone(outputs),
		attrs:   clone(attrs),
	})
}

// UniqueName returns a tensor name that starts with prefix and was never used in the graph
// before, and reserves it.
func (g *Graph) UniqueName(prefix string) string {
	for {
		g.serial++
		name := prefix + "#" + strconv.Itoa(g.serial)
		if !g.used[name] {
			g.mark(name)
			return name
		}
	}
}

func (g *Graph) mark(name string) {
	if name != "" {
		g.used[name] = true
	}
}

func (g *Graph) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// elements returns the number of elements of a tensor with the given dims.
func elements(dims []int64) (int, error) {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in %v", dims)
		}
		n *= int(d)
	}
	return n, nil
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
