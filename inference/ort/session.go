package ort

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

// Session is a model loaded into ONNX Runtime. Run may be called from many goroutines at
// once: ONNX Runtime's run is thread-safe and every call wraps its own tensors.
//
// Tensor data is not copied on the way in or out. onnxruntime_go's NewTensor does not copy
// the Go slice it is given: it creates the ONNX Runtime value over the slice's memory
// (CreateTensorWithDataAsOrtValue), so ONNX Runtime reads the caller's input buffers in
// place and writes the outputs into the caller's output buffers. The one copy happens for an
// output whose shape is only known after the run and whose Data is nil: ONNX Runtime
// allocates it, and onnxruntime_go copies it into a new Go slice before releasing it; Run
// stores that slice in the output's Data.
type Session struct {
	mu   sync.RWMutex // Run holds it shared, Close exclusively
	sess *ortgo.DynamicAdvancedSession
	// wide, when not nil, is the same model with more threads per inference, for inferences
	// that start alone on the engine (see layout.go); sess then runs on one thread.
	wide    *ortgo.DynamicAdvancedSession
	running *inFlight // the engine's
	inputs  []inference.TensorInfo
	outputs []inference.TensorInfo
}

// Inputs describes the tensors Run expects, in order, as ONNX Runtime sees them.
func (s *Session) Inputs() []inference.TensorInfo {
	return cloneInfos(s.inputs)
}

// Outputs describes the tensors Run fills, in order, including the shapes ONNX Runtime
// infers for outputs the model leaves open.
func (s *Session) Outputs() []inference.TensorInfo {
	return cloneInfos(s.outputs)
}

// Run computes outputs from inputs. Each tensor must match the session's description in
// element type and rank, in every known dimension and in its number of elements; otherwise
// Run returns an error wrapping inference.ErrShape that names the tensor. An output with nil
// Data gets a new buffer and its actual shape, which is how outputs of dynamic shape are
// read; any other output is filled in place. Run returns ctx.Err() without running if ctx is
// done, and stops a run early, between two operators, when ctx is canceled during it.
func (s *Session) Run(ctx context.Context, inputs, outputs []inference.Tensor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return fmt.Errorf("%w: session is closed", inference.ErrRuntime)
	}
	if len(inputs) != len(s.inputs) || len(outputs) != len(s.outputs) {
		return fmt.Errorf("%w: the model takes %d inputs and %d outputs, got %d and %d",
			inference.ErrShape, len(s.inputs), len(s.outputs), len(inputs), len(outputs))
	}
	values := make([]ortgo.Value, len(inputs)+len(outputs))
	defer destroy(values)
	in, out := values[:len(inputs)], values[len(inputs):]
	var err error
	for i, t := range inputs {
		if err = checkTensor(s.inputs[i], t, "input"); err != nil {
			return err
		}
		if in[i], err = wrap(t); err != nil {
			return err
		}
	}
	for i := range outputs {
		want := s.outputs[i]
		if outputs[i].Data == nil {
			if want.Elements() < 0 || len(want.Shape) == 0 {
				continue // shape known only after the run (or rank unknown): ONNX Runtime allocates
			}
			want.Shape = slices.Clone(want.Shape) // the caller gets a shape of its own
			if outputs[i], err = inference.NewTensor(want); err != nil {
				return err
			}
		}
		if err = checkTensor(want, outputs[i], "output"); err != nil {
			return err
		}
		if out[i], err = wrap(outputs[i]); err != nil {
			return err
		}
	}
	if err = s.run(ctx, in, out); err != nil {
		return err
	}
	for i, want := range s.outputs {
		if outputs[i].Data != nil {
			continue
		}
		shape, data := unwrap(out[i])
		if dataDType(data) != want.DType {
			return fmt.Errorf("%w: output %q came back as %T, not %v", inference.ErrRuntime, want.Name, out[i], want.DType)
		}
		outputs[i] = inference.Tensor{TensorInfo: inference.TensorInfo{Name: want.Name, DType: want.DType, Shape: shape}, Data: data}
	}
	return nil
}

// run runs the model. A context that can be canceled is watched during the run: its
// cancellation sets ONNX Runtime's terminate flag, which is checked between operators.
func (s *Session) run(ctx context.Context, in, out []ortgo.Value) error {
	sess, done := s.pick(ctx)
	defer done()
	if ctx.Done() == nil {
		return runError(sess.Run(in, out))
	}
	opts, err := ortgo.NewRunOptions()
	if err != nil {
		return fmt.Errorf("%w: creating run options: %w", inference.ErrRuntime, err)
	}
	defer opts.Destroy()
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		opts.Terminate() // fails only on destroyed options, and they outlive this function
	})
	err = sess.RunWithOptions(in, out, opts)
	if !stop() {
		<-terminated
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("inference interrupted: %w", ctx.Err())
	}
	return runError(err)
}

func runError(err error) error {
	if err != nil {
		return fmt.Errorf("%w: %w", inference.ErrRuntime, err)
	}
	return nil
}

// Close releases the session; a later Run returns an error. Close waits for runs in
// progress, and closing twice is harmless.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	if s.wide != nil {
		err = errors.Join(err, s.wide.Destroy())
	}
	s.sess, s.wide = nil, nil
	if err != nil {
		err = fmt.Errorf("%w: closing session: %w", inference.ErrRuntime, err)
	}
	return errors.Join(err, release())
}

func destroy(values []ortgo.Value) {
	for _, v := range values {
		if v != nil {
			v.Destroy() // releases only the ONNX Runtime value; the Go data stays with its owner
		}
	}
}

func cloneInfos(infos []inference.TensorInfo) []inference.TensorInfo {
	out := slices.Clone(infos)
	for i := range out {
		out[i].Shape = slices.Clone(out[i].Shape)
	}
	return out
}
