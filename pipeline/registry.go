package pipeline

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
)

// Status values of ModelInfo.
const (
	// StatusLoaded: the model serves requests.
	StatusLoaded = "loaded"
	// StatusError: the model could not be loaded; ModelInfo.Error says why.
	StatusError = "error"
)

// registry holds the loaded models. Models may be loaded and unloaded while requests run:
// a request holds its model until it finishes, and unloading waits for that.
type registry struct {
	mu     sync.RWMutex
	loaded map[string]*entry
	order  []string             // loaded models in load order: the first of a task is its default
	failed map[string]ModelInfo // models that could not be loaded, with their error
}

// entry is one loaded model and the requests running on it.
type entry struct {
	r      runner
	info   ModelInfo
	active sync.WaitGroup
}

func newRegistry() *registry {
	return &registry{loaded: map[string]*entry{}, failed: map[string]ModelInfo{}}
}

// add makes a loaded model available; the first model of its task is the task's default.
func (g *registry) add(r runner, info ModelInfo) {
	g.mu.Lock()
	defer g.mu.Unlock()
	info.Status = StatusLoaded
	g.loaded[info.Name] = &entry{r: r, info: info}
	g.order = append(g.order, info.Name)
	delete(g.failed, info.Name)
}

// fail records a model that could not be loaded.
func (g *registry) fail(name string, task catalog.Task, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failed[name] = ModelInfo{Name: name, Task: task, Status: StatusError, Error: err.Error()}
}

// info describes the loaded model name, the zero ModelInfo when it is not loaded.
func (g *registry) info(name string) ModelInfo {
	g.mu.RLock()
	defer g.mu.RUnlock()
	e := g.loaded[name]
	if e == nil {
		return ModelInfo{}
	}
	info := e.info
	info.Default = g.defaultOf(info.Task) == name
	return info
}

// has reports whether name is loaded.
func (g *registry) has(name string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.loaded[name] != nil
}

// acquire finds the model for a task, the named one or the task's default, and holds it
// until done is called.
func (g *registry) acquire(task catalog.Task, name string) (r runner, model string, done func(), err error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if name == "" {
		if name = g.defaultOf(task); name == "" {
			return nil, "", nil, fmt.Errorf("%w: %q (no model loaded for it)", ErrUnknownTask, task)
		}
	}
	e := g.loaded[name]
	switch {
	case e == nil:
		if f, ok := g.failed[name]; ok {
			return nil, "", nil, fmt.Errorf("%w: %s is not loaded: %s", catalog.ErrUnknownModel, name, f.Error)
		}
		if _, err := catalog.Lookup(name); err != nil {
			return nil, "", nil, fmt.Errorf("%w: %q is not loaded", catalog.ErrUnknownModel, name)
		}
		return nil, "", nil, fmt.Errorf("%w: %s is not loaded", catalog.ErrUnknownModel, name)
	case e.info.Task != task:
		return nil, "", nil, fmt.Errorf("%w: %s is a %s model, not %s", models.ErrBadOption, name, e.info.Task, task)
	}
	e.active.Add(1) // under the read lock: remove cannot have started waiting
	return e.r, name, e.active.Done, nil
}

// defaultOf is the first loaded model of task, or "". The caller holds mu.
func (g *registry) defaultOf(task catalog.Task) string {
	for _, name := range g.order {
		if g.loaded[name].info.Task == task {
			return name
		}
	}
	return ""
}

// remove takes name out of service at once, waits for the requests running on it to end
// (or ctx), and closes it. A model that failed to load is forgotten. When ctx ends first,
// the model is closed once its last request ends, and ctx's error returned.
func (g *registry) remove(ctx context.Context, name string) error {
	g.mu.Lock()
	e := g.loaded[name]
	_, failed := g.failed[name]
	delete(g.loaded, name)
	delete(g.failed, name)
	for i, n := range g.order {
		if n == name {
			g.order = append(g.order[:i:i], g.order[i+1:]...)
			break
		}
	}
	g.mu.Unlock()
	switch {
	case e == nil && failed:
		return nil
	case e == nil:
		return fmt.Errorf("%w: %s is not loaded", catalog.ErrUnknownModel, name)
	}
	idle := make(chan struct{})
	go func() {
		e.active.Wait()
		e.r.Close()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// infos describes the loaded models, and with failed those that could not be loaded, by
// name.
func (g *registry) infos(failed bool) []ModelInfo {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := []ModelInfo{}
	for _, e := range g.loaded {
		info := e.info
		info.Default = g.defaultOf(info.Task) == info.Name
		out = append(out, info)
	}
	if failed {
		for _, info := range g.failed {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// count is the number of loaded models.
func (g *registry) count() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.loaded)
}

// closeAll closes every loaded model; requests must have ended.
func (g *registry) closeAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.loaded {
		e.r.Close()
	}
	g.loaded, g.order = map[string]*entry{}, nil
}
