package models

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"sync"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// LoadOptions say how models are loaded.
type LoadOptions struct {
	// Engine runs the converted graphs.
	Engine inference.Engine
	// Store is where the model files are installed.
	Store catalog.Store
	// Mode is how quantised TFLite graphs are converted (see convert.Mode), unless PerModel.
	Mode convert.Mode
	// PerModel converts each model as its catalog entry says (catalog.Model.Convert).
	PerModel bool
	// Threads is the number of threads one inference may use; 0 lets the engine choose.
	Threads int
}

// mode is how o converts model m: per model, as its card says (float when it says nothing);
// else o.Mode.
func (o LoadOptions) mode(m catalog.Model) (convert.Mode, error) {
	switch {
	case !o.PerModel:
		return o.Mode, nil
	case m.Convert == "":
		return convert.Float, nil
	}
	mode, perModel, err := EngineConfig{Convert: m.Convert}.mode()
	if err == nil && perModel {
		err = fmt.Errorf("convert: a model converts as float or qdq, not %s", PerModel)
	}
	return mode, err
}

// graph is one loaded model graph whose single image input takes RGB pixels. Input and
// output buffers are pooled, so a request allocates no tensors.
type graph struct {
	sess    inference.Session
	input   inference.TensorInfo
	layout  preprocess.Layout
	mean    float32
	std     float32
	custom  []convert.CustomOp
	buffers sync.Pool // of *buffers
}

type buffers struct {
	in  []inference.Tensor
	out []inference.Tensor
}

// openGraph loads model file f and checks that its input is one [1,H,W,3] image tensor.
func openGraph(o LoadOptions, f catalog.File, m catalog.Model) (g *graph, err error) {
	mode, err := o.mode(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	loaded, err := convert.LoadFile(o.Store.Path(f), mode)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (run visiond models pull %s)", catalog.ErrNotInstalled, f.Name, m.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: file: %w", ErrBadModel, err)
	}
	sess, err := o.Engine.Load(loaded.ONNX, inference.Options{IntraOpThreads: o.Threads})
	if err != nil {
		return nil, fmt.Errorf("%w: file: %s is not a model ONNX Runtime can load: %w", ErrBadModel, f.Name, err)
	}
	ins := sess.Inputs()
	if len(ins) != 1 || len(ins[0].Shape) != 4 || ins[0].Shape[0] != 1 || ins[0].Shape[3] != 3 ||
		(ins[0].DType != inference.Uint8 && ins[0].DType != inference.Float32) {
		sess.Close()
		return nil, fmt.Errorf("%w: %s: input: want one [1,H,W,3] (NHWC) uint8 or float32 image input, got %v", ErrBadModel, f.Name, ins)
	}
	mean, std := m.Mean, m.Std
	if std == 0 {
		std = 1
	}
	if m.NormalizeFromFile && loaded.Std != nil && ins[0].DType == inference.Float32 {
		if mean, std, err = fileNormalization(loaded); err != nil {
			sess.Close()
			return nil, fmt.Errorf("%w: %s: %w", ErrBadModel, f.Name, err)
		}
	}
	g = &graph{
		sess:   sess,
		input:  ins[0],
		layout: preprocess.Layout{Width: int(ins[0].Shape[2]), Height: int(ins[0].Shape[1]), Fit: m.Fit},
		mean:   mean,
		std:    std,
		custom: loaded.Custom,
	}
	b, err := g.newBuffers()
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	g.buffers.Put(b)
	return g, nil
}

// fileNormalization is the one mean and std of a model file's metadata; metadata that
// normalises each channel differently is an error, as the resize fills every channel alike.
func fileNormalization(l *convert.Loaded) (mean, std float32, err error) {
	same := func(vs []float32) bool {
		for _, v := range vs {
			if v != vs[0] || math.IsNaN(float64(v)) {
				return false
			}
		}
		return true
	}
	if !same(l.Mean) || !same(l.Std) || l.Std[0] == 0 {
		return 0, 0, fmt.Errorf("input: the file's metadata normalises by mean %v and std %v, not one mean and std for all channels; give input.mean and input.std in the card", l.Mean, l.Std)
	}
	return l.Mean[0], l.Std[0], nil
}

func (g *graph) newBuffers() (*buffers, error) {
	in, err := inference.NewTensor(g.input)
	if err != nil {
		return nil, err
	}
	b := &buffers{in: []inference.Tensor{in}}
	for _, info := range g.sess.Outputs() {
		t, err := inference.NewTensor(info)
		if err != nil {
			return nil, err
		}
		b.out = append(b.out, t)
	}
	return b, nil
}

// take gets a set of buffers from the pool, or new ones; release puts them back.
func (g *graph) take() (b *buffers, release func(), err error) {
	b, _ = g.buffers.Get().(*buffers)
	if b == nil {
		if b, err = g.newBuffers(); err != nil {
			return nil, nil, err
		}
	}
	return b, func() { g.buffers.Put(b) }, nil
}

// run fits img into the input tensor, runs the graph and returns the outputs (valid until
// release is called), how tensor pixels map back to img, and stage timings.
func (g *graph) run(ctx context.Context, img image.Image, t *Timings) (out []inference.Tensor, tr preprocess.Transform, release func(), err error) {
	sw := startStopwatch()
	b, release, err := g.take()
	if err != nil {
		return nil, tr, nil, err
	}
	switch data := b.in[0].Data.(type) {
	case []uint8:
		tr, err = preprocess.ToUint8(img, g.layout, data)
	case []float32:
		tr, err = preprocess.ToFloat32(img, g.layout, g.mean, g.std, data)
	}
	t.Preprocess = sw.lap()
	if err == nil {
		err = g.sess.Run(ctx, b.in, b.out)
	}
	t.Inference = sw.lap()
	if err != nil {
		release()
		return nil, tr, nil, err
	}
	return b.out, tr, release, nil
}

// runFilled runs the graph on an input tensor that fill writes, for inputs that run's
// resizing cannot make, such as a rotated crop. The graph's input must be float32. The time
// fill takes is added to t.Preprocess and the run to t.Inference. The outputs are valid
// until release is called.
func (g *graph) runFilled(ctx context.Context, fill func(in []float32) error, t *Timings) (out []inference.Tensor, release func(), err error) {
	sw := startStopwatch()
	b, release, err := g.take()
	if err != nil {
		return nil, nil, err
	}
	in, ok := b.in[0].Data.([]float32)
	if !ok {
		release()
		return nil, nil, fmt.Errorf("%w: input %s is %s, not float32", inference.ErrUnsupported, g.input.Name, g.input.DType)
	}
	err = fill(in)
	t.Preprocess += sw.lap()
	if err == nil {
		err = g.sess.Run(ctx, b.in, b.out)
	}
	t.Inference += sw.lap()
	if err != nil {
		release()
		return nil, nil, err
	}
	return b.out, release, nil
}

func (g *graph) close() error { return g.sess.Close() }
