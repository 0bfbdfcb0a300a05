// Package convert turns a TensorFlow Lite graph into an ONNX model that ONNX Runtime runs.
//
// TFLite keeps activations in NHWC order; ONNX convolutions want NCHW. The converter tracks the
// layout of every 4-D value and inserts a Transpose only where an operator needs the other
// order (reshapes, concatenations of mixed layouts, graph outputs). Custom operators are not
// converted: their computed inputs become graph outputs and their constant inputs and options
// are handed back to the caller (see CustomOp), which does their work in Go.
package convert

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/inference/tflite"
)

// Mode chooses how quantised graphs are converted.
type Mode int

const (
	// Float dequantises weights to float32 and computes every activation in float.
	Float Mode = iota
	// QDQ keeps quantised weights and wraps quantised activations in QuantizeLinear /
	// DequantizeLinear pairs, which ONNX Runtime fuses into integer kernels.
	QDQ
)

// String names the mode as used in cache file names and flags.
func (m Mode) String() string {
	if m == QDQ {
		return "qdq"
	}
	return "float"
}

const opset = 13

// CustomOp is a custom TFLite operator left for Go code to run.
type CustomOp struct {
	// Code is the operator's custom code, e.g. "TFLite_Detection_PostProcess".
	Code string
	// Options are the operator's custom options (usually a FlexBuffer map).
	Options []byte
	// Inputs are the operator's inputs in order.
	Inputs []CustomInput
}

// CustomInput is one input of a custom operator: either a graph output the session computes
// (Output names it), or a constant of the model, dequantised to float32.
type CustomInput struct {
	Output string
	Const  []float32
	Shape  []int64
}

// Convert converts the first subgraph of m into ONNX model bytes.
func Convert(m *tflite.Model, mode Mode) ([]byte, error) {
	c, err := newConverter(m, mode)
	if err != nil {
		return nil, err
	}
	if err := c.run(); err != nil {
		return nil, err
	}
	b, err := c.g.Marshal(opset)
	if err != nil {
		return nil, fmt.Errorf("%w: building the ONNX graph: %v", inference.ErrUnsupported, err)
	}
	return b, nil
}

// CustomOps lists the custom operators of m's first subgraph that Convert leaves out.
func CustomOps(m *tflite.Model) ([]CustomOp, error) {
	m, err := foldDequantize(m)
	if err != nil {
		return nil, err
	}
	g := &m.Subgraphs[0]
	var out []CustomOp
	for _, op := range g.Operators {
		code := m.OperatorCodes[op.Opcode]
		if code.Builtin != tflite.Custom {
			continue
		}
		cop := CustomOp{Code: code.Custom, Options: op.Custom}
		for _, i := range op.Inputs {
			if i < 0 {
				cop.Inputs = append(cop.Inputs, CustomInput{})
				continue
			}
			t := &g.Tensors[i]
			in := CustomInput{Shape: dims(t.Shape)}
			if hasData(m, t) {
				v, err := dequantize(m, t)
				if err != nil {
					return nil, err
				}
				in.Const = v
			} else {
				in.Output = t.Name
			}
			cop.Inputs = append(cop.Inputs, in)
		}
		out = append(out, cop)
	}
	return out, nil
}

// converter holds the state of one conversion.
type converter struct {
	m    *tflite.Model
	sg   *tflite.Subgraph
	mode Mode
	g    *onnx.Graph
	vals map[int32]value   // converted values of TFLite tensors
	nhwc map[string]string // cache: NCHW value name -> its NHWC transpose
	// customOut marks tensors produced by custom operators (not computed by the graph).
	customOut map[int32]string
	consts    map[string]string // cache of shared small constants
}

// value is the ONNX value holding a TFLite tensor, in NCHW order when nchw is set.
type value struct {
	name string
	nchw bool
}

func newConverter(m *tflite.Model, mode Mode) (*converter, error) {
	m, err := foldDequantize(m)
	if err != nil {
		return nil, err
	}
	c := &converter{
		m: m, sg: &m.Subgraphs[0], mode: mode,
		g:         onnx.NewGraph(strings.TrimSpace(m.Subgraphs[0].Name + " visiond")),
		vals:      map[int32]value{},
		nhwc:      map[string]string{},
		customOut: map[int32]string{},
		consts:    map[string]string{},
	}
	if err := c.checkSupported(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkSupported names every operator of the graph the converter cannot handle, at once.
func (c *converter) checkSupported() error {
	missing := map[string]bool{}
	for _, op := range c.sg.Operators {
		code := c.m.OperatorCodes[op.Opcode]
		if code.Builtin == tflite.Custom {
			continue
		}
		if _, ok := builders[code.Builtin]; !ok {
			missing[code.Name()] = true
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, len(missing))
	for n := range missing {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("%w: TFLite operators not supported by the converter: %s", inference.ErrUnsupported, strings.Join(names, ", "))
}

func (c *converter) run() error {
	if err := c.inputs(); err != nil {
		return err
	}
	for k, op := range c.sg.Operators {
		code := c.m.OperatorCodes[op.Opcode]
		if code.Builtin == tflite.Custom {
			c.custom(op, code.Custom)
			continue
		}
		if len(op.Inputs) == 0 || op.Inputs[0] < 0 || len(op.Outputs) == 0 {
			return fmt.Errorf("%w: operator %d (%s) lacks its first input or output", inference.ErrBadModel, k, code.Name())
		}
		for _, i := range op.Inputs {
			if name, ok := c.customOut[i]; ok {
				return fmt.Errorf("%w: operator %d (%s) uses an output of custom operator %s", inference.ErrUnsupported, k, code.Name(), name)
			}
		}
		if err := builders[code.Builtin](c, op); err != nil {
			return fmt.Errorf("operator %d (%s): %w", k, code.Name(), err)
		}
	}
	return c.outputs()
}

// inputs declares the graph inputs with the TFLite types, and dequantises quantised ones.
func (c *converter) inputs() error {
	for _, i := range c.sg.Inputs {
		t := &c.sg.Tensors[i]
		dt, err := onnxType(t.Type)
		if err != nil {
			return fmt.Errorf("input %s: %w", t.Name, err)
		}
		c.g.Input(t.Name, dt, dims(t.Shape))
		name := t.Name
		if t.Quant != nil && t.Type != tflite.Float32 {
			name = c.dequantizeValue(name, t.Quant, t.Type)
		} else if t.Type != tflite.Float32 {
			name = c.node("Cast", []string{name}, onnx.AttrInt("to", int64(onnx.Float)))
		}
		c.vals[i] = value{name: name}
	}
	return nil
}

// outputs declares graph outputs in NHWC order and float32: the subgraph's outputs that the
// graph computes (or that are constants), then the computed inputs of custom operators.
func (c *converter) outputs() error {
	seen := map[string]bool{}
	add := func(i int32) error {
		t := &c.sg.Tensors[i]
		if seen[t.Name] {
			return nil
		}
		seen[t.Name] = true
		v, err := c.get(i)
		if err != nil {
			return err
		}
		c.g.Node("Identity", []string{c.native(v)}, []string{t.Name})
		c.g.Output(t.Name, onnx.Float, dims(t.Shape))
		return nil
	}
	for _, i := range c.sg.Outputs {
		if _, custom := c.customOut[i]; custom {
			continue
		}
		if _, ok := c.vals[i]; !ok && !c.isConst(i) {
			return fmt.Errorf("%w: output %s is not computed by any operator", inference.ErrBadModel, c.sg.Tensors[i].Name)
		}
		if err := add(i); err != nil {
			return err
		}
	}
	for _, op := range c.sg.Operators {
		if c.m.OperatorCodes[op.Opcode].Builtin != tflite.Custom {
			continue
		}
		for _, i := range op.Inputs {
			if _, computed := c.vals[i]; i >= 0 && computed && !c.isConst(i) {
				if err := add(i); err != nil {
					return err
				}
			}
		}
	}
	if len(seen) == 0 {
		return fmt.Errorf("%w: the graph computes no outputs", inference.ErrBadModel)
	}
	return nil
}

// foldDequantize returns m with the output of every DEQUANTIZE of a constant (float16 or
// quantised weights) made a float32 constant, so that the operators reading it (convolutions
// above all) see constant weights and no runtime node is needed. m is not modified: the result
// shares m's data and has its own tensor list and buffers, or is m when nothing folds.
func foldDequantize(m *tflite.Model) (*tflite.Model, error) {
	src := &m.Subgraphs[0]
	folded := m
	for _, op := range src.Operators {
		if m.OperatorCodes[op.Opcode].Builtin != tflite.Dequantize || len(op.Inputs) == 0 || op.Inputs[0] < 0 || len(op.Outputs) == 0 {
			continue
		}
		in := &src.Tensors[op.Inputs[0]]
		if !hasData(m, in) || src.Tensors[op.Outputs[0]].Type != tflite.Float32 {
			continue
		}
		v, err := dequantize(m, in)
		if err != nil {
			return nil, err
		}
		if folded == m {
			cp := *m
			cp.Buffers = slices.Clone(m.Buffers)
			cp.Subgraphs = slices.Clone(m.Subgraphs)
			cp.Subgraphs[0].Tensors = slices.Clone(src.Tensors)
			folded = &cp
		}
		out := &folded.Subgraphs[0].Tensors[op.Outputs[0]]
		out.Buffer, out.Quant = uint32(len(folded.Buffers)), nil
		folded.Buffers = append(folded.Buffers, floatBytes(v))
	}
	return folded, nil
}

// custom records that a custom operator's outputs are not computed by the graph.
func (c *converter) custom(op tflite.Operator, code string) {
	for _, i := range op.Outputs {
		c.customOut[i] = code
	}
}

// node adds a single-output node and returns the output's name.
func (c *converter) node(opType string, inputs []string, attrs ...onnx.Attr) string {
	out := c.g.UniqueName(strings.ToLower(opType))
	c.g.Node(opType, inputs, []string{out}, attrs...)
	return out
}

func dims(shape []int32) []int64 {
	out := make([]int64, len(shape))
	for i, d := range shape {
		out[i] = int64(d)
	}
	return out
}

func onnxType(t tflite.TensorType) (onnx.DataType, error) {
	switch t {
	case tflite.Float32:
		return onnx.Float, nil
	case tflite.Uint8:
		return onnx.Uint8, nil
	case tflite.Int8:
		return onnx.Int8, nil
	case tflite.Int32:
		return onnx.Int32, nil
	case tflite.Int64:
		return onnx.Int64, nil
	}
	return 0, fmt.Errorf("%w: tensor type %v", inference.ErrUnsupported, t)
}
