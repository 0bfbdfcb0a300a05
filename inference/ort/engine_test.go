package ort

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/internal/testenv"
)

func TestNewBadLibrary(t *testing.T) {
	lib := testenv.ORTLibrary(t)
	dir := t.TempDir()
	notELF := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(notELF, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing", "libonnxruntime.so.1"), notELF} {
		e, err := New(Config{LibraryPath: path})
		if err == nil {
			e.Close()
			t.Fatalf("New(%q) succeeded", path)
		}
		if !errors.Is(err, inference.ErrRuntime) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "make setup") {
			t.Errorf("New(%q) error %q: want ErrRuntime naming the path and `make setup`", path, err)
		}
	}
	// A failed load leaves nothing behind: the real library still loads.
	e, err := New(Config{LibraryPath: lib})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv(LibraryEnv, testenv.ORTLibrary(t))
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Version() == "" {
		t.Error("Version is empty")
	}
}

// TestEnginesShareRuntime checks the reference counting of the process-wide runtime: two
// engines share it, sessions outlive their engine, and the runtime loads again after the
// last user closed it.
func TestEnginesShareRuntime(t *testing.T) {
	lib := testenv.ORTLibrary(t)
	for round := range 3 {
		e1, err := New(Config{LibraryPath: lib})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		e2, err := New(Config{LibraryPath: lib})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if other, err := New(Config{LibraryPath: filepath.Join(t.TempDir(), "other.so")}); !errors.Is(err, inference.ErrRuntime) || !strings.Contains(err.Error(), "already loaded") {
			if other != nil {
				other.Close()
			}
			t.Errorf("round %d: New with another library: %v, want ErrRuntime (already loaded)", round, err)
		}
		s := load(t, e1, addGraph([]int64{1}))
		for _, e := range []*Engine{e1, e2} {
			if err := e.Close(); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		y := make([]float32, 1)
		in := []inference.Tensor{tensor("a", []int64{1}, []float32{2}), tensor("b", []int64{1}, []float32{3})}
		if err := s.Run(context.Background(), in, []inference.Tensor{tensor("y", []int64{1}, y)}); err != nil || y[0] != 5 {
			t.Fatalf("round %d: run after the engines closed: %v, y = %v", round, err, y)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if env.refs != 0 {
			t.Fatalf("round %d: %d references left on the runtime", round, env.refs)
		}
	}
}

// TestTelemetryOff: once an engine started, ONNX Runtime was told to send no telemetry (the
// variable must be set before the library starts, so the test can only check that it was).
func TestTelemetryOff(t *testing.T) {
	newEngine(t)
	if v := os.Getenv(telemetryEnv); v != "1" {
		t.Errorf("%s=%q after start, want 1", telemetryEnv, v)
	}
}
