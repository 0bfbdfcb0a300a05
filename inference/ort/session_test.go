package ort

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
)

// TestConcurrentRun runs one session from 8 goroutines, each with its own inputs, and checks
// that every call gets its own answer.
func TestConcurrentRun(t *testing.T) {
	shape := []int64{1, 1024}
	s := load(t, newEngine(t), addGraph(shape))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			a, b := make([]float32, 1024), make([]float32, 1024)
			y := make([]float32, 1024)
			for i := range 50 {
				for j := range a {
					a[j], b[j] = float32(g*1000), float32(i*10+j%7)
				}
				outs := []inference.Tensor{tensor("y", shape, y)}
				if err := s.Run(context.Background(), []inference.Tensor{tensor("a", shape, a), tensor("b", shape, b)}, outs); err != nil {
					errs <- err
					return
				}
				for j, v := range y {
					if want := float32(g*1000 + i*10 + j%7); v != want {
						errs <- fmt.Errorf("goroutine %d, run %d: y[%d] = %v, want %v", g, i, j, v, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoadCloseRepeated(t *testing.T) {
	e := newEngine(t)
	g := onnx.NewGraph("add")
	addGraph([]int64{2})(g)
	model, err := g.Marshal(0)
	if err != nil {
		t.Fatal(err)
	}
	var before int64
	for i := range 200 {
		if i == 100 {
			before = rss(t)
		}
		s, err := e.Load(model, inference.Options{IntraOpThreads: 1})
		if err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
		y := make([]float32, 2)
		in := []inference.Tensor{tensor("a", []int64{2}, []float32{1, 2}), tensor("b", []int64{2}, []float32{float32(i), 1})}
		if err := s.Run(context.Background(), in, []inference.Tensor{tensor("y", []int64{2}, y)}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if y[0] != float32(1+i) || y[1] != 3 {
			t.Fatalf("run %d: y = %v", i, y)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
	t.Logf("resident memory %d KiB after 100 loads, %d KiB after 200", before>>10, rss(t)>>10)
}

func TestRunShapeErrors(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("x", onnx.Float, []int64{-1, 3})
		g.Input("q", onnx.Uint8, []int64{2})
		g.Node("Relu", []string{"x"}, []string{"y"})
		g.Node("Identity", []string{"q"}, []string{"z"})
		g.Output("y", onnx.Float, nil)
		g.Output("z", onnx.Uint8, []int64{2})
	})
	x := tensor("x", []int64{2, 3}, make([]float32, 6))
	q := tensor("q", []int64{2}, []uint8{1, 2})
	y := inference.Tensor{}
	z := tensor("z", []int64{2}, make([]uint8, 2))
	tests := []struct {
		name          string
		inputs, outs  []inference.Tensor
		wantInMessage string
	}{
		{"missing input", []inference.Tensor{x}, []inference.Tensor{y, z}, "takes 2 inputs"},
		{"extra output", []inference.Tensor{x, q}, []inference.Tensor{y, z, z}, "and 2 outputs"},
		{"wrong data type", []inference.Tensor{x, tensor("q", []int64{2}, []int8{1, 2})}, []inference.Tensor{y, z}, `input "q" is uint8`},
		{"DType disagrees with data", []inference.Tensor{x, {TensorInfo: inference.TensorInfo{DType: inference.Float32, Shape: []int64{2}}, Data: []uint8{1, 2}}}, []inference.Tensor{y, z}, `input "q" is uint8`},
		{"nil input data", []inference.Tensor{x, {TensorInfo: q.TensorInfo}}, []inference.Tensor{y, z}, `input "q"`},
		{"wrong rank", []inference.Tensor{tensor("x", []int64{6}, make([]float32, 6)), q}, []inference.Tensor{y, z}, `input "x" has shape [-1 3], got [6]`},
		{"wrong known dimension", []inference.Tensor{tensor("x", []int64{3, 2}, make([]float32, 6)), q}, []inference.Tensor{y, z}, `input "x" has shape [-1 3], got [3 2]`},
		{"zero dimension", []inference.Tensor{tensor("x", []int64{0, 3}, []float32{}), q}, []inference.Tensor{y, z}, `got [0 3]`},
		{"data shorter than shape", []inference.Tensor{tensor("x", []int64{2, 3}, make([]float32, 5)), q}, []inference.Tensor{y, z}, `input "x" of shape [2 3] needs 6 elements, got 5`},
		{"data longer than shape", []inference.Tensor{x, tensor("q", []int64{2}, make([]uint8, 3))}, []inference.Tensor{y, z}, `input "q" of shape [2] needs 2 elements, got 3`},
		{"output too small", []inference.Tensor{x, q}, []inference.Tensor{y, tensor("z", []int64{1}, make([]uint8, 1))}, `output "z" has shape [2], got [1]`},
		{"output of wrong type", []inference.Tensor{x, q}, []inference.Tensor{y, tensor("z", []int64{2}, make([]float32, 2))}, `output "z" is uint8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Run(context.Background(), tt.inputs, tt.outs)
			if !errors.Is(err, inference.ErrShape) {
				t.Fatalf("Run error %v, want ErrShape", err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("error %q does not mention %q", err, tt.wantInMessage)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	e := newEngine(t)
	unknownOp := onnx.NewGraph("g")
	unknownOp.Input("x", onnx.Float, []int64{1})
	unknownOp.Node("NoSuchOperator", []string{"x"}, []string{"y"})
	unknownOp.Output("y", onnx.Float, nil)
	stringInput := onnx.NewGraph("g")
	stringInput.Input("s", onnx.DataType(8), []int64{1}) // ONNX STRING
	stringInput.Node("Identity", []string{"s"}, []string{"t"})
	stringInput.Output("t", onnx.DataType(8), nil)
	tests := []struct {
		name  string
		model []byte
		want  error
	}{
		{"garbage", []byte("this is not an ONNX model"), inference.ErrBadModel},
		{"empty", nil, inference.ErrBadModel},
		{"unknown operator", marshal(t, unknownOp), inference.ErrBadModel},
		{"string input", marshal(t, stringInput), inference.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := e.Load(tt.model, inference.Options{})
			if !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("Load error %v, want %v", err, tt.want)
			}
		})
	}
}

func marshal(t testing.TB, g *onnx.Graph) []byte {
	t.Helper()
	b, err := g.Marshal(0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClosed(t *testing.T) {
	e := newEngine(t)
	s := load(t, e, addGraph([]int64{1}))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	in := []inference.Tensor{tensor("a", []int64{1}, []float32{1}), tensor("b", []int64{1}, []float32{1})}
	err := s.Run(context.Background(), in, []inference.Tensor{{}})
	if !errors.Is(err, inference.ErrRuntime) {
		t.Errorf("Run on a closed session: %v, want ErrRuntime", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(marshal(t, onnx.NewGraph("g")), inference.Options{}); !errors.Is(err, inference.ErrRuntime) {
		t.Errorf("Load on a closed engine: %v, want ErrRuntime", err)
	}
}

func TestContextDoneBeforeRun(t *testing.T) {
	s := load(t, newEngine(t), addGraph([]int64{1}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := []inference.Tensor{tensor("a", []int64{1}, []float32{1}), tensor("b", []int64{1}, []float32{1})}
	y := []float32{42}
	err := s.Run(ctx, in, []inference.Tensor{tensor("y", []int64{1}, y)})
	if err != context.Canceled || y[0] != 42 {
		t.Errorf("Run = %v with y = %v, want context.Canceled and no run", err, y)
	}
}

// TestCancelDuringRun cancels a run of 400 chained 256x256 matrix products (seconds of work
// on one thread) shortly after it starts: the run stops early with the context's error.
func TestCancelDuringRun(t *testing.T) {
	const n, layers = 256, 400
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		w := make([]float32, n*n)
		for i := range n {
			w[i*n+i] = 1
		}
		g.Input("x", onnx.Float, []int64{n, n})
		g.FloatInit("w", []int64{n, n}, w)
		prev := "x"
		for range layers {
			next := g.UniqueName("h")
			g.Node("MatMul", []string{prev, "w"}, []string{next})
			prev = next
		}
		g.Node("Identity", []string{prev}, []string{"y"})
		g.Output("y", onnx.Float, []int64{n, n})
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	in := []inference.Tensor{tensor("x", []int64{n, n}, make([]float32, n*n))}
	err := s.Run(ctx, in, []inference.Tensor{tensor("y", []int64{n, n}, make([]float32, n*n))})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	t.Logf("canceled run returned after %v", time.Since(start))
}
