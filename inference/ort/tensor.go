package ort

import (
	"fmt"
	"slices"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

// dtypeOf maps an ONNX Runtime element type to the inference one, or 0 if it has none.
func dtypeOf(t ortgo.TensorElementDataType) inference.DType {
	switch t {
	case ortgo.TensorElementDataTypeFloat:
		return inference.Float32
	case ortgo.TensorElementDataTypeUint8:
		return inference.Uint8
	case ortgo.TensorElementDataTypeInt8:
		return inference.Int8
	case ortgo.TensorElementDataTypeInt32:
		return inference.Int32
	case ortgo.TensorElementDataTypeInt64:
		return inference.Int64
	}
	return 0
}

// dataDType returns the element type of a tensor's Data slice, or 0 if it is not one of the
// supported slice types.
func dataDType(data any) inference.DType {
	switch data.(type) {
	case []float32:
		return inference.Float32
	case []uint8:
		return inference.Uint8
	case []int8:
		return inference.Int8
	case []int32:
		return inference.Int32
	case []int64:
		return inference.Int64
	}
	return 0
}

// tensorInfos describes a model's inputs or outputs; kind is "input" or "output".
func tensorInfos(infos []ortgo.InputOutputInfo, kind string) ([]inference.TensorInfo, error) {
	if len(infos) == 0 {
		return nil, fmt.Errorf("%w: the model has no %ss", inference.ErrUnsupported, kind)
	}
	out := make([]inference.TensorInfo, len(infos))
	for i, info := range infos {
		dt := dtypeOf(info.DataType)
		if info.OrtValueType != ortgo.ONNXTypeTensor || dt == 0 {
			return nil, fmt.Errorf("%w: %s %q is a %v of %v", inference.ErrUnsupported, kind, info.Name, info.OrtValueType, info.DataType)
		}
		out[i] = inference.TensorInfo{Name: info.Name, DType: dt, Shape: slices.Clone(info.Dimensions)}
	}
	return out, nil
}

// checkTensor verifies that t can stand for the model tensor want: same element type, same
// rank, equal sizes wherever want's are known, every size positive, and exactly as many
// elements in Data as its Shape holds.
func checkTensor(want inference.TensorInfo, t inference.Tensor, kind string) error {
	if got := dataDType(t.Data); t.DType != want.DType || got != want.DType {
		return fmt.Errorf("%w: %s %q is %v, got DType %v holding %T", inference.ErrShape, kind, want.Name, want.DType, t.DType, t.Data)
	}
	if len(t.Shape) != len(want.Shape) {
		return fmt.Errorf("%w: %s %q has shape %v, got %v", inference.ErrShape, kind, want.Name, want.Shape, t.Shape)
	}
	for i, d := range t.Shape {
		if d <= 0 || (want.Shape[i] >= 0 && d != want.Shape[i]) {
			return fmt.Errorf("%w: %s %q has shape %v, got %v", inference.ErrShape, kind, want.Name, want.Shape, t.Shape)
		}
	}
	if n := dataLen(t.Data); n != t.Elements() {
		return fmt.Errorf("%w: %s %q of shape %v needs %d elements, got %d", inference.ErrShape, kind, want.Name, t.Shape, t.Elements(), n)
	}
	return nil
}

func dataLen(data any) int {
	switch d := data.(type) {
	case []float32:
		return len(d)
	case []uint8:
		return len(d)
	case []int8:
		return len(d)
	case []int32:
		return len(d)
	case []int64:
		return len(d)
	}
	return -1
}

// wrap makes an ONNX Runtime value that uses t's Data in place (see the Session doc).
// t must have passed checkTensor.
func wrap(t inference.Tensor) (ortgo.Value, error) {
	shape := ortgo.Shape(t.Shape)
	switch d := t.Data.(type) {
	case []float32:
		return value(ortgo.NewTensor(shape, d))
	case []uint8:
		return value(ortgo.NewTensor(shape, d))
	case []int8:
		return value(ortgo.NewTensor(shape, d))
	case []int32:
		return value(ortgo.NewTensor(shape, d))
	case []int64:
		return value(ortgo.NewTensor(shape, d))
	}
	return nil, fmt.Errorf("%w: tensor %q holds %T", inference.ErrShape, t.Name, t.Data)
}

// value turns a typed tensor into a Value without storing a typed nil on error.
func value[T ortgo.TensorData](t *ortgo.Tensor[T], err error) (ortgo.Value, error) {
	if err != nil {
		return nil, fmt.Errorf("%w: wrapping a tensor: %w", inference.ErrRuntime, err)
	}
	return t, nil
}

// unwrap returns the shape and Go-owned data of an output that ONNX Runtime allocated.
func unwrap(v ortgo.Value) ([]int64, any) {
	switch t := v.(type) {
	case *ortgo.Tensor[float32]:
		return t.GetShape(), t.GetData()
	case *ortgo.Tensor[uint8]:
		return t.GetShape(), t.GetData()
	case *ortgo.Tensor[int8]:
		return t.GetShape(), t.GetData()
	case *ortgo.Tensor[int32]:
		return t.GetShape(), t.GetData()
	case *ortgo.Tensor[int64]:
		return t.GetShape(), t.GetData()
	}
	return nil, nil
}
