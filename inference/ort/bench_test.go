package ort

import (
	"context"
	"testing"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
)

// The benchmarks compare Session.Run with a bare onnxruntime_go run of the same model
// (go test -bench . -run '^$' ./inference/ort/), to show what validation, wrapping and
// cancellation cost per call.

var benchShape = []int64{1, 3, 32, 32}

func benchGraph(g *onnx.Graph) {
	g.Input("x", onnx.Float, benchShape)
	w := make([]float32, 8*3*3*3)
	for i := range w {
		w[i] = float32(i%5) / 4
	}
	g.FloatInit("w", []int64{8, 3, 3, 3}, w)
	g.Node("Conv", []string{"x", "w"}, []string{"y"}, onnx.AttrInts("pads", []int64{1, 1, 1, 1}))
	g.Output("y", onnx.Float, []int64{1, 8, 32, 32})
}

func BenchmarkSessionRun(b *testing.B) {
	s := load(b, newEngine(b), benchGraph)
	in := []inference.Tensor{tensor("x", benchShape, make([]float32, 3*32*32))}
	out := []inference.Tensor{tensor("y", []int64{1, 8, 32, 32}, make([]float32, 8*32*32))}
	cancelable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"cancelable", cancelable},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := s.Run(bc.ctx, in, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRawRun(b *testing.B) {
	newEngine(b)
	g := onnx.NewGraph("bench")
	benchGraph(g)
	so, err := ortgo.NewSessionOptions()
	if err != nil {
		b.Fatal(err)
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(1); err != nil {
		b.Fatal(err)
	}
	s, err := ortgo.NewDynamicAdvancedSessionWithONNXData(marshal(b, g), []string{"x"}, []string{"y"}, so)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Destroy()
	x, err := ortgo.NewTensor(ortgo.Shape(benchShape), make([]float32, 3*32*32))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Destroy()
	y, err := ortgo.NewEmptyTensor[float32](ortgo.NewShape(1, 8, 32, 32))
	if err != nil {
		b.Fatal(err)
	}
	defer y.Destroy()
	for b.Loop() {
		if err := s.Run([]ortgo.Value{x}, []ortgo.Value{y}); err != nil {
			b.Fatal(err)
		}
	}
}
