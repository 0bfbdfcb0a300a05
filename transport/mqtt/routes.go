package mqtt

import (
	"fmt"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// job is one model run on a frame.
type job struct {
	task    catalog.Task
	model   string // empty: the task's default model
	options pipeline.Options
}

// route is a Route resolved against the loaded models.
type route struct {
	camera string // "+" for every camera
	jobs   []job
}

// router picks the jobs for each message.
type router struct {
	routes []route
	// loaded maps the pipeline's model names to their tasks.
	loaded map[string]catalog.Task
}

// defaultJob is the default detection model with its default options.
var defaultJob = job{task: catalog.TaskDetect}

// newRouter resolves the configured routes (default: every camera to the default detection
// model) against the loaded models.
func newRouter(cfg Config, loaded []pipeline.ModelInfo) (*router, error) {
	r := &router{loaded: map[string]catalog.Task{}}
	for _, m := range loaded {
		r.loaded[m.Name] = m.Task
	}
	routes := cfg.Routes
	if len(routes) == 0 {
		routes = []Route{{Filter: cfg.Prefix + "/+/image"}}
	}
	for _, rc := range routes {
		rt, err := r.resolve(cfg.Prefix, rc)
		if err != nil {
			return nil, fmt.Errorf("mqtt route %s: %w", rc.Filter, err)
		}
		r.routes = append(r.routes, rt)
	}
	return r, nil
}

// resolve turns one configured route into jobs, checking its models are loaded, one per task.
func (r *router) resolve(prefix string, rc Route) (route, error) {
	camera, err := routeCamera(prefix, rc.Filter)
	if err != nil {
		return route{}, err
	}
	opts := pipeline.Options{MinScore: rc.MinScore, Max: rc.Max, Classes: rc.Classes, Top: rc.Top, Multi: rc.Multi}
	if len(rc.Models) == 0 {
		if !r.serves(catalog.TaskDetect) {
			return route{}, fmt.Errorf("%w: it runs the default detection model, and none is loaded", catalog.ErrUnknownModel)
		}
		return route{camera: camera, jobs: []job{{task: catalog.TaskDetect, options: opts}}}, nil
	}
	rt := route{camera: camera}
	tasks := map[catalog.Task]string{}
	for _, name := range rc.Models {
		j, err := r.job(name)
		if err != nil {
			return route{}, err
		}
		if other, dup := tasks[j.task]; dup {
			return route{}, fmt.Errorf("%s and %s are both %s models; a route runs one model per task", other, name, j.task)
		}
		tasks[j.task] = name
		j.options = opts
		rt.jobs = append(rt.jobs, j)
	}
	return rt, nil
}

// serves says whether a model of the task is loaded.
func (r *router) serves(task catalog.Task) bool {
	for _, t := range r.loaded {
		if t == task {
			return true
		}
	}
	return false
}

// job is a run of the named loaded model with default options.
func (r *router) job(name string) (job, error) {
	task, ok := r.loaded[name]
	if !ok {
		return job{}, fmt.Errorf("%w: %s is not loaded (add it to the models visiond loads)", catalog.ErrUnknownModel, name)
	}
	return job{task: task, model: name}, nil
}

// jobs are the runs for a message: the model its payload names, or its camera's route
// (a request without a model gets the default detection).
func (r *router) jobs(camera, model string) ([]job, error) {
	if model != "" {
		j, err := r.job(model)
		return []job{j}, err
	}
	if camera == "" {
		return []job{defaultJob}, nil
	}
	for _, rt := range r.routes {
		if rt.camera == "+" || rt.camera == camera {
			return rt.jobs, nil
		}
	}
	return nil, fmt.Errorf("%w: no route for camera %s", catalog.ErrUnknownModel, camera)
}

// filters are the topic filters to subscribe to: the request topic, and the cameras'
// image topics (one wildcard filter when a route covers every camera, so no message is
// delivered twice through overlapping subscriptions).
func (r *router) filters(prefix, shareGroup string) []string {
	out := []string{prefix + "/request"}
	cameras := []string{}
	for _, rt := range r.routes {
		if rt.camera == "+" {
			cameras = []string{"+"}
			break
		}
		cameras = append(cameras, rt.camera)
	}
	for _, c := range cameras {
		out = append(out, prefix+"/"+c+"/image")
	}
	if shareGroup != "" {
		for i, f := range out {
			out[i] = "$share/" + shareGroup + "/" + f
		}
	}
	return out
}
