// Package testpipeline opens request pipelines on the real models for the tests of the
// packages that feed one (the transports, the CLI, the pipeline itself).
package testpipeline

import (
	"context"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/pipeline"
)

// SharedModels are the models of the Shared pipeline: a detector and a classifier.
var SharedModels = []string{"coco-ssd", "mobilenet"}

var (
	sharedOnce sync.Once
	shared     *pipeline.Pipeline
	sharedErr  error
)

// Load returns the options that load the named models on eng (nil: the process's engine),
// one thread per inference, each model converted as the daemon converts it by default (its
// catalog entry's mode), except while the golden files are rewritten: they hold float-mode
// results, the reference every mode is held to.
func Load(t testing.TB, eng inference.Engine, names ...string) models.LoadOptions {
	t.Helper()
	if eng == nil {
		eng = testmodels.Engine(t)
	}
	return models.LoadOptions{Engine: eng, Store: testmodels.Store(t, names...), Threads: 1, PerModel: !golden.Updating()}
}

// Open opens a pipeline of the named models on eng (nil: the process's engine), configured
// by cfg, its metrics on reg (nil: none); it is closed when the test ends.
func Open(t testing.TB, cfg pipeline.Config, eng inference.Engine, reg prometheus.Registerer, names ...string) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Open(cfg, names, Load(t, eng, names...), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	return p
}

// Shared returns the pipeline that most tests of a process share: SharedModels with the
// default configuration. It is never closed; the process ends.
func Shared(t testing.TB) *pipeline.Pipeline {
	t.Helper()
	load := Load(t, nil, SharedModels...)
	sharedOnce.Do(func() {
		shared, sharedErr = pipeline.Open(pipeline.Defaults(), SharedModels, load, nil)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}
