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

// Config says which models to load and how much work to admit.
type Config struct {
	// Models are catalog names; the first of each task is that task's default.
	Models []string
	// Load says where models are and which engine runs them.
	Load models.LoadOptions
	// Workers is how many requests run at once; 0 means one per core.
	Workers int
	// Queue is how many more may wait for a worker; 0 means 4 per worker, negative none.
	Queue int
	// Limits bound the images accepted; zero fields take preprocess.DefaultLimits.
	Limits preprocess.Limits
	// Metrics, when set, receives the pipeline's Prometheus metrics (stage latencies, queue
	// depth, busy workers, rejections, models loaded).
	Metrics prometheus.Registerer
}

// Open loads every configured model. A model that fails to load fails Open, naming it; the
// models already loaded are released.
func Open(cfg Config) (*Pipeline, error) {
	if len(cfg.Models) == 0 {
		return nil, errors.New("pipeline: no models configured")
	}
	workers, queue := cfg.Workers, cfg.Queue
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	switch {
	case queue == 0:
		queue = 4 * workers
	case queue < 0:
		queue = 0
	}
	p := &Pipeline{
		models:   map[string]runner{},
		defaults: map[catalog.Task]string{},
		pool:     newPool(workers, queue),
		limits:   cfg.Limits,
	}
	for _, name := range cfg.Models {
		if err := p.load(cfg.Load, name); err != nil {
			p.closeModels()
			return nil, err
		}
	}
	p.infos = sortedInfos(p.infos)
	if err := p.register(cfg.Metrics); err != nil {
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
	open, ok := loaders[m.Task]
	if !ok {
		return fmt.Errorf("%w: %s (model %s)", ErrUnknownTask, m.Task, name)
	}
	r, err := open(o, m)
	if err != nil {
		return fmt.Errorf("loading %s: %w", name, err)
	}
	p.models[name] = r
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
		r.close()
	}
}
