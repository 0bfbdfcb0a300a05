package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// Config bounds the work the pipeline admits and the images it accepts: the `pipeline`
// section of visiond.yaml.
type Config struct {
	// Workers is how many requests run at once.
	Workers int `yaml:"workers"`
	// Queue is how many more requests may wait for a worker; beyond that they are refused at
	// once (ErrBusy). Zero means none may wait.
	Queue int `yaml:"queue"`
	// MaxImageBytes is the largest encoded image accepted.
	MaxImageBytes int64 `yaml:"max_image_bytes"`
	// MaxPixels is the largest width×height accepted, read from the image header before
	// decoding.
	MaxPixels int64 `yaml:"max_pixels"`
}

// Defaults are one worker per core, four waiting requests per worker, and preprocess's
// default image limits.
func Defaults() Config {
	workers := runtime.NumCPU()
	return Config{
		Workers:       workers,
		Queue:         4 * workers,
		MaxImageBytes: preprocess.DefaultLimits.MaxBytes,
		MaxPixels:     preprocess.DefaultLimits.MaxPixels,
	}
}

// Validate checks every field, naming it by its YAML key.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, key, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("pipeline.%s: "+format, append([]any{key}, args...)...))
		}
	}
	check(c.Workers >= 1, "workers", "must be at least 1, got %d", c.Workers)
	check(c.Queue >= 0, "queue", "must not be negative, got %d", c.Queue)
	check(c.MaxImageBytes >= 1, "max_image_bytes", "must be positive, got %d", c.MaxImageBytes)
	check(c.MaxPixels >= 1, "max_pixels", "must be positive, got %d", c.MaxPixels)
	return errors.Join(errs...)
}

// Limits are the image limits of c.
func (c Config) Limits() preprocess.Limits {
	return preprocess.Limits{MaxBytes: c.MaxImageBytes, MaxPixels: c.MaxPixels}
}

// Open loads the models named (catalog names, or own models with a card in the store; the
// first of each task is that task's default) with load, and admits work as cfg says.
// Metrics, when reg is not nil, go there. A catalog model that fails to load fails Open,
// naming it, and the models already loaded are released; an own model that fails (a bad
// card, a file that does not fit it) is reported by AllModels with its error, and the others
// load.
func Open(cfg Config, names []string, load models.LoadOptions, reg prometheus.Registerer) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("pipeline: no models configured")
	}
	p := &Pipeline{
		reg:    newRegistry(),
		load:   load,
		pool:   newPool(cfg.Workers, cfg.Queue),
		limits: cfg.Limits(),
	}
	for _, name := range names {
		if p.reg.has(name) {
			p.reg.closeAll()
			return nil, fmt.Errorf("pipeline: model %s configured twice", name)
		}
		m, err := p.open(name)
		if err != nil && !m.Own && !errors.Is(err, catalog.ErrBadCard) {
			p.reg.closeAll()
			return nil, err
		}
	}
	if err := p.register(reg); err != nil {
		p.reg.closeAll()
		return nil, fmt.Errorf("pipeline: metrics: %w", err)
	}
	return p, nil
}

// open looks name up (the catalog, then the store's cards), checks its files, loads it and
// registers it; a failure is recorded in the registry and returned.
func (p *Pipeline) open(name string) (catalog.Model, error) {
	m, err := p.load.Store.Lookup(name)
	if err == nil {
		err = p.openModel(m)
	}
	if err != nil {
		err = fmt.Errorf("loading %s: %w", name, err)
		p.reg.fail(name, m.Task, err)
	}
	return m, err
}

// openModel loads m and registers it.
func (p *Pipeline) openModel(m catalog.Model) error {
	task, err := LookupTask(m.Task)
	if err != nil {
		return err
	}
	if err := p.load.Store.Check(m); err != nil {
		return err
	}
	r, err := task.open(p.load, m)
	if err != nil {
		return err
	}
	w, h := r.InputSize()
	p.reg.add(r, ModelInfo{
		Name: m.Name, Task: m.Task, Description: m.Description,
		InputWidth: w, InputHeight: h, Labels: r.labels(),
	})
	return nil
}

// Load loads a model while the pipeline runs (a catalog model, or an own model with a card
// in the store), and serves it from then on. A model already loaded is not loaded again.
func (p *Pipeline) Load(name string) (ModelInfo, error) {
	p.loading.Lock()
	defer p.loading.Unlock()
	if !p.reg.has(name) {
		if _, err := p.open(name); err != nil {
			return ModelInfo{}, err
		}
	}
	return p.reg.info(name), nil
}

// Unload stops serving a model: new requests for it fail at once, those running finish
// (until ctx ends), then it is released. A model that failed to load is forgotten.
func (p *Pipeline) Unload(ctx context.Context, name string) error {
	p.loading.Lock()
	defer p.loading.Unlock()
	return p.reg.remove(ctx, name)
}
