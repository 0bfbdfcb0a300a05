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
	running inFlight // inferences running on the engine's sessions
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
// (Config.IntraOpThreads when 0). With more than one thread, an inference uses them only
// while it is the engine's only one, and a single thread beside others (see layout.go). A
// model ONNX Runtime rejects is an error wrapping inference.ErrBadModel; one whose inputs or
// outputs are not tensors of an inference.DType wraps inference.ErrUnsupported. Load costs
// a cheap throwaway session, which describes the inputs and outputs, and one session
// creation, two side by side with more than one thread.
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
	ins, outs, err := describe(model)
	if err != nil {
		return nil, err
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
	s.running = &e.running
	if threads <= 1 {
		s.sess, err = e.session(model, s, threads)
		return s, err
	}
	// Two sessions, as layout.go explains, created side by side: creation optimises the
	// graph on one thread.
	var wideErr error
	var wg sync.WaitGroup
	wg.Go(func() { s.wide, wideErr = e.session(model, s, threads) })
	s.sess, err = e.session(model, s, 1)
	wg.Wait()
	if err = errors.Join(wideErr, err); err != nil {
		for _, sess := range []*ortgo.DynamicAdvancedSession{s.wide, s.sess} {
			if sess != nil {
				sess.Destroy()
			}
		}
		return nil, err
	}
	return s, nil
}

// session creates one ONNX Runtime session of model, whose inputs and outputs s describes,
// running each inference on up to threads threads.
func (e *Engine) session(model []byte, s *Session, threads int) (*ortgo.DynamicAdvancedSession, error) {
	so, err := e.sessionOptions(threads)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	sess, err := ortgo.NewDynamicAdvancedSessionWithONNXData(model, names(s.inputs), names(s.outputs), so)
	if err != nil {
		return nil, fmt.Errorf("%w: ONNX Runtime rejects the model: %w", inference.ErrBadModel, err)
	}
	return sess, nil
}

// sessionOptions are every session's options. The threads of an inference spin between its
// operators (ONNX Runtime's default, which a multi-threaded inference's speed depends on:
// parking them after each operator made two threads no faster than one), and stop spinning
// as soon as the session's last inference returns, so that idle threads take no core from
// other work.
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
		func() error { return so.AddSessionConfigEntry("session.force_spinning_stop", "1") },
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
