package ort

import (
	"fmt"
	"os"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

// describe reads the inputs and outputs of an ONNX model, with the shapes ONNX Runtime
// infers for outputs the model leaves open. onnxruntime_go cannot describe a session it
// created, and needs the names to create one, so a throwaway session reads the model: one
// that does not optimise the graph and starts no threads, which costs a fraction of a real
// one. onnxruntime_go takes such options only with a file, so the model passes through a
// temporary one; where none can be written (a read-only file system), the default throwaway
// session reads the bytes.
func describe(model []byte) (ins, outs []ortgo.InputOutputInfo, err error) {
	path, err := tempModel(model)
	if err != nil {
		ins, outs, err = ortgo.GetInputOutputInfoWithONNXData(model)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: ONNX Runtime rejects the model: %w", inference.ErrBadModel, err)
		}
		return ins, outs, nil
	}
	defer os.Remove(path)
	so, err := ortgo.NewSessionOptions()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: creating session options: %w", inference.ErrRuntime, err)
	}
	defer so.Destroy()
	for _, set := range []func() error{
		func() error { return so.SetGraphOptimizationLevel(ortgo.GraphOptimizationLevelDisableAll) },
		func() error { return so.SetIntraOpNumThreads(1) },
		func() error { return so.SetInterOpNumThreads(1) },
	} {
		if err := set(); err != nil {
			return nil, nil, fmt.Errorf("%w: setting session options: %w", inference.ErrRuntime, err)
		}
	}
	ins, outs, err = ortgo.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: ONNX Runtime rejects the model: %w", inference.ErrBadModel, err)
	}
	return ins, outs, nil
}

// tempModel writes model to a new temporary file and returns its path.
func tempModel(model []byte) (string, error) {
	f, err := os.CreateTemp("", "visiond-model-*.onnx")
	if err != nil {
		return "", err
	}
	_, err = f.Write(model)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
