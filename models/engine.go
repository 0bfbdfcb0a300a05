package models

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/models/catalog"
)

// EngineConfig is how models run: the `engine` section of visiond.yaml, shared by the daemon
// and the CLI.
type EngineConfig struct {
	// Library is the ONNX Runtime shared library; empty means $VISIOND_ORT_LIB, else the one
	// `make setup` installs.
	Library string `yaml:"library"`
	// Convert is how quantised TFLite graphs run: per-model (each model as its catalog
	// entry says), float or qdq.
	Convert string `yaml:"convert"`
	// Threads is the most threads one inference uses: while it runs alone on the engine;
	// beside others, each uses one.
	Threads int `yaml:"threads"`
}

// EngineDefaults let an inference use every core while it runs alone, and one core beside
// others (the layout of package ort): a lone client gets the lowest latency, and concurrent
// ones the most requests per second (see the README's load test). Each model converted as
// its catalog entry says.
func EngineDefaults() EngineConfig {
	return EngineConfig{Convert: PerModel, Threads: runtime.NumCPU()}
}

// PerModel is the engine.convert value that converts each model as its catalog entry says.
const PerModel = "per-model"

// Validate checks every field, naming it by its YAML key.
func (c EngineConfig) Validate() error {
	var errs []error
	if _, _, err := c.mode(); err != nil {
		errs = append(errs, err)
	}
	if c.Threads < 1 {
		errs = append(errs, fmt.Errorf("engine.threads: must be at least 1, got %d", c.Threads))
	}
	return errors.Join(errs...)
}

// mode is the conversion c asks for; perModel means each model's own.
func (c EngineConfig) mode() (mode convert.Mode, perModel bool, err error) {
	switch c.Convert {
	case PerModel:
		return 0, true, nil
	case "float":
		return convert.Float, false, nil
	case "qdq":
		return convert.QDQ, false, nil
	}
	return 0, false, fmt.Errorf("engine.convert: must be %s, float or qdq, not %q", PerModel, c.Convert)
}

// OpenEngine starts ONNX Runtime as c says, for models installed in store. The caller closes
// the engine once the models loaded with the options are closed.
func OpenEngine(c EngineConfig, store catalog.Store) (*ort.Engine, LoadOptions, error) {
	if err := c.Validate(); err != nil {
		return nil, LoadOptions{}, err
	}
	mode, perModel, _ := c.mode()
	eng, err := ort.New(ort.Config{LibraryPath: c.Library, IntraOpThreads: c.Threads})
	if err != nil {
		return nil, LoadOptions{}, err
	}
	return eng, LoadOptions{Engine: eng, Store: store, Mode: mode, PerModel: perModel, Threads: c.Threads}, nil
}
