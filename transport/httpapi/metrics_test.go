package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/visiond/visiond/internal/testenv"
)

// TestMetrics: /metrics carries the HTTP and the pipeline metrics, labelled by route, model
// and status, without labels that clients choose.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := openPipeline(t, nil, reg, 1, 2, "coco-ssd")
	h := newHarness(t, testConfig(), p, reg)
	photo := testenv.ReadImage(t, "burger.jpg")
	h.do("POST", "/v1/detect", "image/jpeg", photo)
	h.do("POST", "/v1/detect?annotate=1", "image/jpeg", photo)
	h.do("POST", "/v1/detect", "image/jpeg", []byte("junk"))
	h.do("POST", "/v1/detect?model=made-up-by-a-client", "image/jpeg", photo)
	h.do("GET", "/no/such/path/123", "", nil)

	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"visiond_http_requests_total", []string{"endpoint", "/v1/detect", "model", "coco-ssd", "status", "200"}, 2},
		{"visiond_http_requests_total", []string{"endpoint", "/v1/detect", "model", "coco-ssd", "status", "400"}, 1},
		{"visiond_http_requests_total", []string{"endpoint", "/v1/detect", "model", "", "status", "404"}, 1},
		{"visiond_http_requests_total", []string{"endpoint", "unmatched", "status", "404"}, 1},
		{"visiond_http_request_duration_seconds", []string{"endpoint", "/v1/detect"}, 4},
		{"visiond_pipeline_stage_seconds", []string{"task", "detect", "model", "coco-ssd", "stage", "inference"}, 2},
		{"visiond_pipeline_stage_seconds", []string{"stage", "decode"}, 2},
		{"visiond_pipeline_stage_seconds", []string{"stage", "annotate"}, 1},
		{"visiond_pipeline_queue_depth", nil, 0},
		{"visiond_pipeline_workers", nil, 1},
		{"visiond_pipeline_rejected_total", nil, 0},
		{"visiond_models_loaded", nil, 1},
		{"visiond_http_panics_total", nil, 0},
	} {
		if got := h.metric(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}

	r := h.do("GET", "/metrics", "", nil)
	text := string(r.body)
	if r.status != http.StatusOK || !contains(text, "# TYPE visiond_http_requests_total counter", "visiond_models_loaded 1",
		`visiond_pipeline_stage_seconds_bucket{model="coco-ssd",stage="inference",task="detect",le="`) {
		t.Errorf("/metrics: %d\n%s", r.status, text)
	}
	if strings.Contains(text, "made-up-by-a-client") || strings.Contains(text, "/no/such/path") {
		t.Error("a client-chosen string became a label")
	}
}
