// Package ort runs ONNX models with ONNX Runtime, through github.com/yalue/onnxruntime_go.
// It is the only package of visiond that uses cgo for ONNX Runtime; the shared library is
// loaded with dlopen when the first Engine is created, not linked at build time.
package ort

import (
	"errors"
	"fmt"
	"os"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

var (
	_ inference.Engine  = (*Engine)(nil)
	_ inference.Session = (*Session)(nil)
)

// LibraryEnv is the environment variable naming the ONNX Runtime library when
// Config.LibraryPath is empty.
const LibraryEnv = "VISIOND_ORT_LIB"

// Config selects the runtime library and its default threading.
type Config struct {
	// LibraryPath is the ONNX Runtime shared library. Empty means $VISIOND_ORT_LIB, or else
	// DefaultLibraryPath. A name without a slash is searched like any dlopen name.
	LibraryPath string
	// IntraOpThreads is the number of threads one inference may use when a model's
	// inference.Options do not say; 0 lets ONNX Runtime choose (one per physical core).
	IntraOpThreads int
	// InterOpThreads sizes ONNX Runtime's pool for running independent nodes side by side;
	// 0 lets ONNX Runtime choose. Sessions run their nodes sequentially, so it rarely matters.
	InterOpThreads int
}

// Engine loads ONNX models into ONNX Runtime sessions. Engines share the process-wide
// runtime: the library stays loaded while any engine or session is open.
type Engine struct {
	cfg     Config
	version string
	mu      sync.Mutex
	closed  bool
}

// New loads the ONNX Runtime library (once per process) and returns an engine. A library
// that is missing or cannot be loaded is an error wrapping inference.ErrRuntime.
func New(cfg Config) (*Engine, error) {
	if cfg.IntraOpThreads < 0 || cfg.InterOpThreads < 0 {
		return nil, fmt.Errorf("%w: negative thread count in %+v", inference.ErrRuntime, cfg)
	}
	if cfg.LibraryPath == "" {
		cfg.LibraryPath = os.Getenv(LibraryEnv)
	}
	if cfg.LibraryPath == "" {
		cfg.LibraryPath = DefaultLibraryPath()
	}
	if err := acquire(cfg.LibraryPath); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, version: ortgo.GetVersion()}, nil
}

// LibraryPath returns the ONNX Runtime library the engine was asked to load.
func (e *Engine) LibraryPath() string {
	return e.cfg.LibraryPath
}

// Version returns the version of the ONNX Runtime library, as in "1.30.0".
func (e *Engine) Version() string {
	return e.version
}

// Close releases the engine's hold on the runtime. Sessions it loaded stay usable until
// they are closed themselves. Closing twice is harmless.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return release()
}

// Load compiles an ONNX model into a session, with every graph optimization enabled and
// operators run one after the other, each using up to opts.IntraOpThreads threads
// (Config.IntraOpThreads when 0). A model ONNX Runtime rejects is an error wrapping inference.ErrBadModel; one whose
// inputs or outputs are not tensors of an inference.DType wraps inference.ErrUnsupported.
// Load costs about two session creations: a throwaway one describes the inputs and outputs.
func (e *Engine) Load(model []byte, opts inference.Options) (inference.Session, error) {
	if err := e.hold(); err != nil {
		return nil, err
	}
	s, err := e.load(model, opts)
	if err != nil {
		return nil, errors.Join(err, release())
	}
	return s, nil
}

// hold takes the reference on the runtime that a new session keeps until it closes, so the
// runtime stays loaded even if the engine closes first.
func (e *Engine) hold() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%w: engine is closed", inference.ErrRuntime)
	}
	retain()
	return nil
}

func (e *Engine) load(model []byte, opts inference.Options) (*Session, error) {
	if len(model) == 0 {
		return nil, fmt.Errorf("%w: empty ONNX model", inference.ErrBadModel)
	}
	// onnxruntime_go cannot describe the inputs and outputs of a session it created, and
	// needs their names to create one, so the model is first read by a throwaway session.
	// Its reports include the shapes ONNX Runtime infers for outputs the model leaves open.
	ins, outs, err := ortgo.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		return nil, fmt.Errorf("%w: ONNX Runtime rejects the model: %w", inference.ErrBadModel, err)
	}
	s := &Session{}
	if s.inputs, err = tensorInfos(ins, "input"); err != nil {
		return nil, err
	}
	if s.outputs, err = tensorInfos(outs, "output"); err != nil {
		return nil, err
	}
	threads := opts.IntraOpThreads
	if threads == 0 {
		threads = e.cfg.IntraOpThreads
	}
	so, err := e.sessionOptions(threads)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	s.sess, err = ortgo.NewDynamicAdvancedSessionWithONNXData(model, names(s.inputs), names(s.outputs), so)
	if err != nil {
		return nil, fmt.Errorf("%w: ONNX Runtime rejects the model: %w", inference.ErrBadModel, err)
	}
	return s, nil
}

func (e *Engine) sessionOptions(intraOpThreads int) (*ortgo.SessionOptions, error) {
	if intraOpThreads < 0 {
		return nil, fmt.Errorf("%w: negative thread count %d", inference.ErrRuntime, intraOpThreads)
	}
	so, err := ortgo.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("%w: creating session options: %w", inference.ErrRuntime, err)
	}
	for _, set := range []func() error{
		func() error { return so.SetGraphOptimizationLevel(ortgo.GraphOptimizationLevelEnableAll) },
		func() error { return so.SetExecutionMode(ortgo.ExecutionModeSequential) },
		func() error { return so.SetIntraOpNumThreads(intraOpThreads) },
		func() error { return so.SetInterOpNumThreads(e.cfg.InterOpThreads) },
	} {
		if err := set(); err != nil {
			so.Destroy()
			return nil, fmt.Errorf("%w: setting session options: %w", inference.ErrRuntime, err)
		}
	}
	return so, nil
}

func names(infos []inference.TensorInfo) []string {
	out := make([]string, len(infos))
	for i, t := range infos {
		out[i] = t.Name
	}
	return out
}
