package pipeline

import (
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

// Open loads the models named (catalog names; the first of each task is that task's default)
// with load, and admits work as cfg says. Metrics, when reg is not nil, go there. A model
// that fails to load fails Open, naming it; the models already loaded are released.
func Open(cfg Config, names []string, load models.LoadOptions, reg prometheus.Registerer) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("pipeline: no models configured")
	}
	p := &Pipeline{
		models:   map[string]runner{},
		tasks:    map[string]catalog.Task{},
		defaults: map[catalog.Task]string{},
		pool:     newPool(cfg.Workers, cfg.Queue),
		limits:   cfg.Limits(),
	}
	for _, name := range names {
		if err := p.load(load, name); err != nil {
			p.closeModels()
			return nil, err
		}
	}
	p.infos = sortedInfos(p.infos)
	if err := p.register(reg); err != nil {
		p.closeModels()
		return nil, fmt.Errorf("pipeline: metrics: %w", err)
	}
	return p, nil
}

// load opens one catalog model and registers it.
func (p *Pipeline) load(o models.LoadOptions, name string) error {
	if _, dup := p.models[name]; dup {
		return fmt.Errorf("pipeline: model %s configured twice", name)
	}
	m, err := catalog.Lookup(name)
	if err != nil {
		return err
	}
	task, err := LookupTask(m.Task)
	if err != nil {
		return fmt.Errorf("%w (model %s)", err, name)
	}
	if err := o.Store.Check(m); err != nil {
		return fmt.Errorf("loading %s: %w", name, err)
	}
	r, err := task.open(o, m)
	if err != nil {
		return fmt.Errorf("loading %s: %w", name, err)
	}
	p.models[name], p.tasks[name] = r, m.Task
	_, hasDefault := p.defaults[m.Task]
	if !hasDefault {
		p.defaults[m.Task] = name
	}
	p.infos = append(p.infos, ModelInfo{
		Name: name, Task: m.Task, Description: m.Description,
		InputWidth: m.InputWidth, InputHeight: m.InputHeight,
		Labels: r.labels(), Default: !hasDefault,
	})
	return nil
}

// closeModels releases every loaded model.
func (p *Pipeline) closeModels() {
	for _, r := range p.models {
		r.Close()
	}
}
