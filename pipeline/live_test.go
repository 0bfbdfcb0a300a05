package pipeline_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// ownModels returns load options for testmodels.Kitchen's folder with more files.
func ownModels(t *testing.T, more map[string]string) models.LoadOptions {
	t.Helper()
	files := map[string][]byte{}
	for name, content := range more {
		files[name] = []byte(content)
	}
	return models.LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Kitchen(t, files), Threads: 1}
}

// TestBadCardDoesNotStopOthers: a configured own model whose card is bad is reported with
// its error, and the other models load and serve.
func TestBadCardDoesNotStopOthers(t *testing.T) {
	load := ownModels(t, map[string]string{
		"broken.yaml": "name: broken\ntask: dance\nfile: kitchen.tflite\n",
		"unfit.yaml":  "name: unfit\ntask: detect\nfile: kitchen.tflite\nlabels: {file: kitchen.txt}\n",
	})
	p, err := pipeline.Open(pipeline.Defaults(), []string{"mobilenet", "broken", "unfit", "kitchen"}, load, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	var names []string
	for _, m := range p.Models() {
		names = append(names, m.Name+":"+m.Status)
	}
	if strings.Join(names, " ") != "kitchen:loaded mobilenet:loaded" {
		t.Errorf("loaded models %v", names)
	}
	errs := map[string]string{}
	for _, m := range p.AllModels() {
		if m.Status == pipeline.StatusError {
			errs[m.Name] = m.Error
		}
	}
	if !strings.Contains(errs["broken"], "task: must be detect, classify, pose or hands") ||
		!strings.Contains(errs["unfit"], "output.decoder: no TFLite_Detection_PostProcess operator") || len(errs) != 2 {
		t.Errorf("failed models: %q", errs)
	}
	_, err = p.Run(context.Background(), pipeline.Request{Task: catalog.TaskClassify, Model: "broken", Image: testenv.ReadImage(t, "burger.jpg")})
	if pipeline.Code(err) != "unknown_model" || !strings.Contains(err.Error(), "task:") {
		t.Errorf("a request for the broken model: %v", err)
	}
	res, err := p.Run(context.Background(), pipeline.Request{Task: catalog.TaskClassify, Model: "kitchen", Image: testenv.ReadImage(t, "burger.jpg")})
	if err != nil || res.Results.([]results.Classification)[0].ClassName != "burger" {
		t.Errorf("kitchen on burger.jpg: %+v, %v", res, err)
	}
}

// TestLoadUnloadUnderLoad: 8 clients classify with one model while another is loaded, used
// by 4 clients of its own and unloaded, five times over: the first model's clients never
// see an error, and the second's requests either finish or find it unloaded.
func TestLoadUnloadUnderLoad(t *testing.T) {
	p, err := pipeline.Open(pipeline.Config{Workers: 2, Queue: 32, MaxImageBytes: 1 << 24, MaxPixels: 1 << 26}, []string{"mobilenet"}, ownModels(t, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	burger := testenv.ReadImage(t, "burger.jpg")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var stop atomic.Bool
	var served, failed atomic.Int64
	var clients sync.WaitGroup
	for range 8 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for !stop.Load() && ctx.Err() == nil {
				res, err := p.Run(ctx, pipeline.Request{Task: catalog.TaskClassify, Model: "mobilenet", Image: burger})
				if err != nil || res.Results.([]results.Classification)[0].ClassName != "cheeseburger" {
					failed.Add(1)
					t.Errorf("mobilenet request: %v", err)
					continue
				}
				served.Add(1)
			}
		}()
	}

	var kitchenServed atomic.Int64
	for round := range 5 {
		info, err := p.Load("kitchen")
		if err != nil || info.Status != pipeline.StatusLoaded || info.Task != catalog.TaskClassify {
			t.Fatalf("round %d: Load = %+v, %v", round, info, err)
		}
		var users sync.WaitGroup
		for range 4 {
			users.Add(1)
			go func() {
				defer users.Done()
				for range 3 {
					res, err := p.Run(ctx, pipeline.Request{Task: catalog.TaskClassify, Model: "kitchen", Image: burger})
					switch {
					case err == nil && res.Results.([]results.Classification)[0].ClassName == "burger":
						kitchenServed.Add(1)
					case pipeline.Code(err) != "unknown_model":
						t.Errorf("kitchen request: %+v, %v", res, err)
					}
				}
			}()
		}
		time.Sleep(50 * time.Millisecond)
		if err := p.Unload(ctx, "kitchen"); err != nil {
			t.Fatalf("round %d: Unload: %v", round, err)
		}
		users.Wait()
		if _, err := p.Run(ctx, pipeline.Request{Task: catalog.TaskClassify, Model: "kitchen", Image: burger}); pipeline.Code(err) != "unknown_model" {
			t.Errorf("round %d: a request after Unload: %v, want unknown_model", round, err)
		}
	}
	stop.Store(true)
	clients.Wait()
	if failed.Load() != 0 || served.Load() < 8 || kitchenServed.Load() == 0 {
		t.Errorf("mobilenet: %d served, %d failed; kitchen served %d", served.Load(), failed.Load(), kitchenServed.Load())
	}
	t.Logf("mobilenet served %d requests, kitchen %d, over 5 loads and unloads", served.Load(), kitchenServed.Load())
	if err := p.Unload(ctx, "kitchen"); pipeline.Code(err) != "unknown_model" {
		t.Errorf("Unload of a model not loaded: %v", err)
	}
}
