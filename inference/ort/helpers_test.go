package ort

import (
	"context"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/internal/testenv"
)

// newEngine starts an engine on the installed ONNX Runtime and closes it after the test.
func newEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Config{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// load builds a graph, loads it and closes the session after the test.
func load(t testing.TB, e *Engine, build func(g *onnx.Graph)) inference.Session {
	t.Helper()
	g := onnx.NewGraph("test")
	build(g)
	model, err := g.Marshal(0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Load(model, inference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// addGraph is y = a + b over two float tensors of the given shape.
func addGraph(shape []int64) func(g *onnx.Graph) {
	return func(g *onnx.Graph) {
		g.Input("a", onnx.Float, shape)
		g.Input("b", onnx.Float, shape)
		g.Node("Add", []string{"a", "b"}, []string{"y"})
		g.Output("y", onnx.Float, shape)
	}
}

func tensor(name string, shape []int64, data any) inference.Tensor {
	var dt inference.DType
	switch data.(type) {
	case []float32:
		dt = inference.Float32
	case []uint8:
		dt = inference.Uint8
	case []int8:
		dt = inference.Int8
	case []int32:
		dt = inference.Int32
	case []int64:
		dt = inference.Int64
	}
	return inference.Tensor{TensorInfo: inference.TensorInfo{Name: name, DType: dt, Shape: shape}, Data: data}
}

// run runs s with fresh outputs allocated from its description and returns them.
func run(t testing.TB, s inference.Session, inputs ...inference.Tensor) []inference.Tensor {
	t.Helper()
	outs := make([]inference.Tensor, len(s.Outputs()))
	for i, info := range s.Outputs() {
		if info.Elements() < 0 {
			continue
		}
		var err error
		if outs[i], err = inference.NewTensor(info); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Run(context.Background(), inputs, outs); err != nil {
		t.Fatal(err)
	}
	return outs
}

func wantFloats(t testing.TB, got inference.Tensor, shape []int64, want []float32) {
	t.Helper()
	if !slices.Equal(got.Shape, shape) {
		t.Errorf("output %q has shape %v, want %v", got.Name, got.Shape, shape)
	}
	if d, ok := got.Data.([]float32); !ok || !slices.Equal(d, want) {
		t.Errorf("output %q = %v, want %v", got.Name, got.Data, want)
	}
}
