package httpapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/pipeline"
)

// TestLoadUnloadRoutes: POST /v1/models/{name}/load and DELETE /v1/models/{name} need a
// key; an own model loads, is served on /v1/classify and listed, is unloaded while 8
// clients classify with another model (none of whose requests fails), and a bad card shows
// in /v1/models with its error.
func TestLoadUnloadRoutes(t *testing.T) {
	store := testmodels.Kitchen(t, map[string][]byte{
		"broken.yaml": []byte("name: broken\ntask: classify\nfile: kitchen.tflite\nlabels: {file: kitchen.txt, offset: 5000}\n"),
	})
	load := models.LoadOptions{Engine: testmodels.Engine(t), Store: store, Threads: 1}
	p, err := pipeline.Open(pipeline.Config{Workers: 2, Queue: 32, MaxImageBytes: 1 << 24, MaxPixels: 1 << 26}, []string{"mobilenet", "broken"}, load, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	cfg := testConfig()
	cfg.APIKeys = []string{"s3cret"}
	h := newHarness(t, cfg, p, nil)
	key := []string{"Authorization", "Bearer s3cret"}
	burger := testenv.ReadImage(t, "burger.jpg")

	for _, r := range []reply{h.do("POST", "/v1/models/kitchen/load", "", nil), h.do("DELETE", "/v1/models/mobilenet", "", nil)} {
		if code, _ := r.apiErr(t); r.status != http.StatusUnauthorized || code != "unauthorized" {
			t.Errorf("without a key: %d %s", r.status, code)
		}
	}
	var listed struct{ Models []modelInfo }
	h.do("GET", "/v1/models", "", nil, key...).json(t, &listed)
	if len(listed.Models) != 2 || listed.Models[0].Name != "broken" || listed.Models[0].Status != "error" ||
		!strings.Contains(listed.Models[0].Error, "labels.offset: 5000 is out of range") || listed.Models[1].Status != "loaded" {
		t.Errorf("/v1/models: %+v", listed.Models)
	}

	var stop atomic.Bool
	var served atomic.Int64
	var clients sync.WaitGroup
	for range 8 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for !stop.Load() {
				if r := h.do("POST", "/v1/classify?model=mobilenet", "image/jpeg", burger, key...); r.status != http.StatusOK {
					t.Errorf("mobilenet request: %d %s", r.status, r.body)
					return
				}
				served.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(time.Minute)
	for round := 0; round < 3 && time.Now().Before(deadline); round++ {
		var info modelInfo
		r := h.do("POST", "/v1/models/kitchen/load", "", nil, key...)
		r.json(t, &info)
		if r.status != http.StatusOK || info.Name != "kitchen" || info.Status != "loaded" || info.Task != "classify" || info.InputWidth != 224 {
			t.Fatalf("load: %d %s", r.status, r.body)
		}
		var res struct{ Results []struct{ ClassName string } }
		r = h.do("POST", "/v1/classify?model=kitchen&top=1", "image/jpeg", burger, key...)
		if r.json(t, &res); r.status != http.StatusOK || len(res.Results) != 1 || res.Results[0].ClassName != "burger" {
			t.Errorf("classify with kitchen: %d %s", r.status, r.body)
		}
		if r = h.do("DELETE", "/v1/models/kitchen", "", nil, key...); r.status != http.StatusOK || !strings.Contains(string(r.body), `"unloaded"`) {
			t.Errorf("unload: %d %s", r.status, r.body)
		}
		r = h.do("POST", "/v1/classify?model=kitchen", "image/jpeg", burger, key...)
		if code, _ := r.apiErr(t); r.status != http.StatusNotFound || code != "unknown_model" {
			t.Errorf("classify after unload: %d %s", r.status, r.body)
		}
	}
	stop.Store(true)
	clients.Wait()
	if served.Load() == 0 {
		t.Error("no mobilenet request was served")
	}

	for _, tc := range []struct {
		method, path string
		status       int
		code, msg    string
	}{
		{"POST", "/v1/models/nothing/load", 404, "unknown_model", `"nothing"`},
		{"POST", "/v1/models/broken/load", 503, "bad_model", "labels.offset"},
		{"DELETE", "/v1/models/kitchen", 404, "unknown_model", "kitchen is not loaded"},
		{"POST", "/v1/models/..%2f..%2fetc/load", 404, "", ""},
	} {
		r := h.do(tc.method, tc.path, "", nil, key...)
		code, msg := r.apiErr(t)
		if r.status != tc.status || code != tc.code && tc.code != "" || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s %s: %d %s %q, want %d %s %q", tc.method, tc.path, r.status, code, msg, tc.status, tc.code, tc.msg)
		}
	}
}
