package ort

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
)

// TestRunMemoryStable makes runs whose output ONNX Runtime allocates (4 KiB each) and
// checks that the process does not grow: every native value made for a run is released.
func TestRunMemoryStable(t *testing.T) {
	s := load(t, newEngine(t), func(g *onnx.Graph) {
		g.Input("x", onnx.Float, []int64{-1, 1024})
		g.Node("Relu", []string{"x"}, []string{"y"})
		g.Output("y", onnx.Float, nil)
	})
	x := tensor("x", []int64{1, 1024}, make([]float32, 1024))
	runs := func(n int) {
		for range n {
			outs := []inference.Tensor{{}}
			if err := s.Run(context.Background(), []inference.Tensor{x}, outs); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The first 10k runs warm up ONNX Runtime's arena and the Go heap (and the race
	// detector's shadow memory); a leak would keep growing through the next 10k.
	runs(10000)
	before := rss(t)
	runs(10000)
	after := rss(t)
	t.Logf("resident memory %d KiB before and %d KiB after 10k runs", before>>10, after>>10)
	if after-before > 2<<20 { // a leaked value per run would add about 5 MiB
		t.Errorf("resident memory grew by %d KiB over 10k runs", (after-before)>>10)
	}
}

// rss returns the resident set size of the process after a garbage collection.
func rss(t *testing.T) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		t.Fatal(err)
	}
	return resident * int64(os.Getpagesize())
}
