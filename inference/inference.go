// Package inference computes tensors: it defines the Engine and Session that every model runs
// on, and its sub-packages read TensorFlow Lite files, convert them to ONNX and run them with
// ONNX Runtime. It knows nothing about what a model means.
package inference

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors returned by engines and sessions.
var (
	// ErrBadModel means a model file is corrupt, truncated or not a format visiond reads.
	ErrBadModel = errors.New("bad model")
	// ErrUnsupported means a model uses an operator or type visiond cannot convert.
	ErrUnsupported = errors.New("unsupported model feature")
	// ErrRuntime means the native runtime could not be loaded or failed while running.
	ErrRuntime = errors.New("inference runtime error")
	// ErrShape means tensors given to Run do not match the session's inputs or outputs.
	ErrShape = errors.New("tensor shape mismatch")
)

// DType is the element type of a tensor.
type DType uint8

// Element types that sessions exchange with callers.
const (
	Float32 DType = iota + 1
	Uint8
	Int8
	Int32
	Int64
)

// String returns the lower-case name of the type, as in "float32".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// TensorInfo describes one input or output of a session. Shape holds -1 for a dimension that
// is only known at run time.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int64
}

// Elements returns the number of elements of a fully known shape, or -1 if any dimension is unknown.
func (t TensorInfo) Elements() int {
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return -1
		}
		n *= int(d)
	}
	return n
}

// Tensor is a buffer with its description. Data is a []float32, []uint8, []int8, []int32 or
// []int64 matching DType, holding Elements() values in row-major order.
type Tensor struct {
	TensorInfo
	Data any
}

// NewTensor allocates a zeroed tensor for a fully known shape.
func NewTensor(info TensorInfo) (Tensor, error) {
	n := info.Elements()
	if n < 0 {
		return Tensor{}, fmt.Errorf("%w: tensor %q has an unknown dimension in %v", ErrShape, info.Name, info.Shape)
	}
	var data any
	switch info.DType {
	case Float32:
		data = make([]float32, n)
	case Uint8:
		data = make([]uint8, n)
	case Int8:
		data = make([]int8, n)
	case Int32:
		data = make([]int32, n)
	case Int64:
		data = make([]int64, n)
	default:
		return Tensor{}, fmt.Errorf("%w: tensor %q has type %v", ErrUnsupported, info.Name, info.DType)
	}
	return Tensor{TensorInfo: info, Data: data}, nil
}

// Options tune how a session runs.
type Options struct {
	// IntraOpThreads is the number of threads one inference may use; 0 lets the engine choose.
	IntraOpThreads int
}

// Engine turns ONNX model bytes into sessions.
type Engine interface {
	// Load compiles an ONNX model. The returned session is safe for concurrent Run calls.
	Load(onnxModel []byte, opts Options) (Session, error)
}

// Session is one loaded model.
type Session interface {
	// Inputs describes the tensors Run expects, in order.
	Inputs() []TensorInfo
	// Outputs describes the tensors Run fills, in order.
	Outputs() []TensorInfo
	// Run computes the outputs from the inputs. Both slices follow the order of Inputs and
	// Outputs; output tensors must be allocated by the caller (see NewTensor) and are filled in
	// place. Run returns ctx.Err() without running if ctx is already done.
	Run(ctx context.Context, inputs, outputs []Tensor) error
	// Close releases the native resources. The session must not be used afterwards.
	Close() error
}
