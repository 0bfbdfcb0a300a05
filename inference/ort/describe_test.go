package ort

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/onnx"
)

// TestDescribe: the cheap throwaway session describes a model as ONNX Runtime's default one
// does, output shapes it infers included, through a temporary file or, where none can be
// written, without one.
func TestDescribe(t *testing.T) {
	newEngine(t)
	g := onnx.NewGraph("test")
	g.Input("x", onnx.Float, []int64{-1, 8})
	g.Node("Relu", []string{"x"}, []string{"y"})
	g.Output("y", onnx.Float, nil) // shape left to ONNX Runtime
	model := marshal(t, g)
	wantIns, wantOuts, err := ortgo.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		t.Fatal(err)
	}
	check := func(how string) {
		ins, outs, err := describe(model)
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if !reflect.DeepEqual(ins, wantIns) || !reflect.DeepEqual(outs, wantOuts) {
			t.Errorf("%s: described %v → %v, want %v → %v", how, ins, outs, wantIns, wantOuts)
		}
	}
	path, err := tempModel(model)
	if err != nil {
		t.Fatalf("no temporary file: %v", err)
	}
	os.Remove(path)
	check("through a temporary file")
	if _, _, err := describe([]byte("not a model")); !errors.Is(err, inference.ErrBadModel) {
		t.Errorf("a model that is not ONNX: err = %v, want ErrBadModel", err)
	}

	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	if _, err := tempModel(model); err == nil {
		t.Fatal("a temporary file was written into a missing folder")
	}
	check("with no temporary file")
	if _, _, err := describe([]byte("not a model")); !errors.Is(err, inference.ErrBadModel) {
		t.Errorf("a model that is not ONNX, no temporary file: err = %v, want ErrBadModel", err)
	}
}
