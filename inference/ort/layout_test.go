package ort

import (
	"context"
	"sync"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
	"github.com/visiond/visiond/internal/testenv"
)

// loadThreads loads the add graph on e with the given threads per inference.
func loadThreads(t *testing.T, e *Engine, threads int) *Session {
	t.Helper()
	g := onnx.NewGraph("test")
	addGraph([]int64{1, 1024})(g)
	model, err := g.Marshal(0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Load(model, inference.Options{IntraOpThreads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*Session)
}

func TestLayoutPicksWideSessionOnlyAlone(t *testing.T) {
	e := newEngine(t)
	one, two := loadThreads(t, e, 1), loadThreads(t, e, 2)
	if one.wide != nil {
		t.Error("a one-thread model has a wide session")
	}
	if two.wide == nil || two.sess == nil {
		t.Fatal("a two-thread model lacks its wide or its narrow session")
	}
	ctx := context.Background()
	first, done1 := two.pick(ctx)
	if first != two.wide {
		t.Error("an inference alone on the engine did not take the wide session")
	}
	// Any other inference on the engine, of any model, makes the next one narrow.
	second, done2 := two.pick(ctx)
	other, done3 := one.pick(ctx)
	if second != two.sess || other != one.sess {
		t.Error("an inference beside another took the wide session, or a one-thread model another session")
	}
	done1()
	third, done4 := two.pick(ctx)
	if third != two.sess {
		t.Error("an inference beside two others took the wide session")
	}
	done2()
	done3()
	done4()
	if n := e.running.n.Load(); n != 0 {
		t.Fatalf("%d inferences counted after all ended", n)
	}
	if again, done := two.pick(ctx); again != two.wide {
		t.Error("alone again, an inference did not take the wide session")
	} else {
		done()
	}
	// Alone on the engine, but its caller serves other requests: one thread.
	crowded := true
	ctx = inference.WithCrowd(ctx, func() bool { return crowded })
	if sess, done := two.pick(ctx); sess != two.sess {
		t.Error("an inference whose caller is crowded took the wide session")
	} else {
		done()
	}
	crowded = false
	if sess, done := two.pick(ctx); sess != two.wide {
		t.Error("an inference whose caller is no longer crowded did not take the wide session")
	} else {
		done()
	}
}

func TestLayoutConcurrentRunsAgree(t *testing.T) {
	e, err := New(Config{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := loadThreads(t, e, 0) // the engine's two threads
	if s.wide == nil {
		t.Fatal("the engine's default of two threads gave no wide session")
	}
	shape := []int64{1, 1024}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			a, b, y := make([]float32, 1024), make([]float32, 1024), make([]float32, 1024)
			for i := range 100 {
				for j := range a {
					a[j], b[j] = float32(g*1000), float32(i*10+j%7)
				}
				outs := []inference.Tensor{tensor("y", shape, y)}
				if err := s.Run(context.Background(), []inference.Tensor{tensor("a", shape, a), tensor("b", shape, b)}, outs); err != nil {
					t.Error(err)
					return
				}
				for j, v := range y {
					if want := float32(g*1000 + i*10 + j%7); v != want {
						t.Errorf("goroutine %d, run %d: y[%d] = %v, want %v", g, i, j, v, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if n := e.running.n.Load(); n != 0 {
		t.Errorf("%d inferences counted after all ended", n)
	}
}
