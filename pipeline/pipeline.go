// Package pipeline is the one path every transport feeds: it holds the loaded models, admits
// requests through a bounded worker pool, and turns image bytes into results, stage timings and
// an optional annotated image. HTTP and MQTT call Run and map its errors to their own answers.
package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// Request is one image and what to do with it.
type Request struct {
	// Task is detect, classify, pose or hands.
	Task catalog.Task
	// Model names the model; empty picks the task's default (the first loaded for it).
	Model string
	// Image is the encoded image (JPEG, PNG, GIF, BMP or WebP).
	Image []byte
	// Decoded, when set, is the image already decoded (a camera frame), used instead of Image.
	// The pipeline reads it and never keeps or recycles it.
	Decoded image.Image
	// Options tunes the task; fields a task does not use are ignored.
	Options Options
	// Annotate asks for the image with the results drawn on it, encoded as Format.
	Annotate bool
	// Format of the annotated image: JPEG (default) or PNG.
	Format annotate.Format
	// Quality of an annotated JPEG, 1..100; 0 means annotate.DefaultJPEGQuality.
	Quality int
}

// Timings are the stage durations of one request. As JSON they are milliseconds, the form
// every output (HTTP, MQTT, CLI) shows: {"queue", "decode", "preprocess", "inference",
// "postprocess"}, with "annotate" and "total" when they were measured.
type Timings struct {
	models.Timings
	// Queue is the time spent waiting for a worker.
	Queue time.Duration
	// Annotate is drawing and encoding the annotated image.
	Annotate time.Duration
	// Total, when a transport sets it, is the time from the request's arrival to its answer.
	Total time.Duration
}

// MarshalJSON writes the timings in milliseconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	type millis struct {
		Queue       float64 `json:"queue"`
		Decode      float64 `json:"decode"`
		Preprocess  float64 `json:"preprocess"`
		Inference   float64 `json:"inference"`
		Postprocess float64 `json:"postprocess"`
		Annotate    float64 `json:"annotate,omitempty"`
		Total       float64 `json:"total,omitempty"`
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(millis{
		Queue: ms(t.Queue), Decode: ms(t.Decode), Preprocess: ms(t.Preprocess), Inference: ms(t.Inference),
		Postprocess: ms(t.Postprocess), Annotate: ms(t.Annotate), Total: ms(t.Total),
	})
}

// Result is the answer to a Request. Its JSON form is the body every output shares: HTTP
// answers it, MQTT publishes it beside the frame's source, the CLI prints it beside the file.
type Result struct {
	Model string       `json:"model"`
	Task  catalog.Task `json:"task"`
	// Width and Height are the image's size, after its EXIF orientation.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Results is a slice of the task's result type from models/results.
	Results any     `json:"results"`
	Timings Timings `json:"timings_ms"`
	// Annotated is the encoded annotated image when asked for, in AnnotatedFormat.
	Annotated       []byte          `json:"-"`
	AnnotatedFormat annotate.Format `json:"-"`
}

// Pipeline runs requests on loaded models. It is safe for concurrent use.
type Pipeline struct {
	reg     *registry
	load    models.LoadOptions
	loading sync.Mutex // one Load or Unload at a time
	pool    *pool
	limits  preprocess.Limits
	metrics *metrics
}

// Run decodes req.Image, runs the model and annotates when asked. It waits for a free worker
// (bounded by the queue, ErrBusy when full) and gives up when ctx ends.
func (p *Pipeline) Run(ctx context.Context, req Request) (*Result, error) {
	res, err := p.run(ctx, req)
	p.metrics.observe(req, res, err)
	return res, err
}

// run is Run without the metrics.
func (p *Pipeline) run(ctx context.Context, req Request) (*Result, error) {
	r, name, done, err := p.reg.acquire(req.Task, req.Model)
	if err != nil {
		return nil, err
	}
	defer done()
	if req.Annotate {
		if err := checkEncoding(req.Format, req.Quality); err != nil {
			return nil, err
		}
	}
	res := &Result{Model: name, Task: req.Task}
	queued := time.Now()
	release, err := p.pool.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	res.Timings.Queue = time.Since(queued)
	ctx = inference.WithCrowd(ctx, p.pool.crowded) // one thread per inference while others are served

	start := time.Now()
	w, h := r.InputSize()
	img, err := p.decode(ctx, req, w, h)
	if err != nil {
		return nil, err
	}
	if req.Decoded == nil {
		defer preprocess.Recycle(img)
	}
	decode := time.Since(start)
	res.Width, res.Height = preprocess.SourceSize(img)
	out, t, err := r.run(ctx, img, req.Options)
	if err != nil {
		return nil, err
	}
	t.Decode = decode
	res.Results, res.Timings.Timings = out, t
	if req.Annotate {
		start = time.Now()
		res.AnnotatedFormat = cmp.Or(req.Format, annotate.JPEG)
		if res.Annotated, err = p.annotated(r, req, img, out, res.AnnotatedFormat); err != nil {
			return nil, err
		}
		res.Timings.Annotate = time.Since(start)
	}
	return res, nil
}

// annotated draws the results onto the full-size image and encodes it. The model ran on img,
// which may be reduced: the results are the same whether or not an annotation is asked for,
// and only the drawing decodes the full image (an image the model ran on at full size is not
// decoded again).
func (p *Pipeline) annotated(r runner, req Request, img image.Image, out any, format annotate.Format) ([]byte, error) {
	if _, reduced := img.(*preprocess.Reduced); reduced {
		full, _, err := preprocess.Decode(req.Image, p.limits)
		if err != nil {
			return nil, err
		}
		defer preprocess.Recycle(full)
		img = full
	}
	// An image the pipeline decoded is its own, recycled once the answer is encoded: the
	// results are drawn on it rather than on a copy. A caller's frame is left as it is.
	o := annotate.Options{InPlace: req.Decoded == nil}
	var buf bytes.Buffer
	if err := annotate.Encode(&buf, r.draw(img, out, o), format, req.Quality); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkEncoding validates the annotated image's format and quality before any work is done.
func checkEncoding(f annotate.Format, quality int) error {
	if f != "" && f != annotate.JPEG && f != annotate.PNG {
		return fmt.Errorf("%w: format must be jpeg or png, got %q", models.ErrBadOption, f)
	}
	if quality < 0 || quality > 100 {
		return fmt.Errorf("%w: quality must be between 1 and 100, got %d", models.ErrBadOption, quality)
	}
	return nil
}

// ModelInfo describes a loaded model, or one that could not be loaded (Status "error").
type ModelInfo struct {
	Name        string       `json:"name"`
	Task        catalog.Task `json:"task"`
	Description string       `json:"description"`
	InputWidth  int          `json:"input_width"`
	InputHeight int          `json:"input_height"`
	// Labels is how many classes the model names (0 for pose and hands).
	Labels  int  `json:"labels"`
	Default bool `json:"default"`
	// Status is StatusLoaded or StatusError.
	Status string `json:"status"`
	// Error says why a model could not be loaded.
	Error string `json:"error,omitempty"`
}

// Models describes the loaded models, by name.
func (p *Pipeline) Models() []ModelInfo { return p.reg.infos(false) }

// AllModels describes the loaded models and those that could not be loaded, by name.
func (p *Pipeline) AllModels() []ModelInfo { return p.reg.infos(true) }

// Queued is the number of requests waiting for a worker.
func (p *Pipeline) Queued() int { return p.pool.waiting() }

// CheckBusy returns ErrBusy, counted like a refused Run, when a request arriving now would be
// refused: every worker busy and the queue full. Transports call it before reading a large
// request, so that overload costs them little; Run still decides.
func (p *Pipeline) CheckBusy() error {
	if !p.pool.full() {
		return nil
	}
	p.metrics.observe(Request{}, nil, ErrBusy)
	return ErrBusy
}

// Close waits for running requests to finish (or ctx to end), refuses new ones and releases
// the models.
func (p *Pipeline) Close(ctx context.Context) error {
	err := p.pool.close(ctx)
	p.reg.closeAll()
	return err
}
