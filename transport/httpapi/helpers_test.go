package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/pipeline"
)

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

// openPipeline opens a pipeline of the named models on eng (nil: the process's engine) with
// its metrics on reg; it is closed when the test ends.
func openPipeline(t *testing.T, eng inference.Engine, reg prometheus.Registerer, workers, queue int, names ...string) *pipeline.Pipeline {
	t.Helper()
	cfg := pipeline.Defaults()
	cfg.Workers, cfg.Queue = workers, queue
	return testpipeline.Open(t, cfg, eng, reg, names...)
}

// testConfig is the default configuration with test-sized timeouts and no drain period.
func testConfig() Config {
	cfg := Defaults()
	cfg.RequestTimeout = 30 * time.Second
	cfg.Drain = 0
	return cfg
}

// harness is a Server behind a real HTTP listener, with its log and registry.
type harness struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
	reg *prometheus.Registry
	log *testenv.LockedBuffer
}

// newHarness starts a server for cfg answering with p (nil: not ready yet).
func newHarness(t *testing.T, cfg Config, p Pipeline, reg *prometheus.Registry) *harness {
	t.Helper()
	return newLimitedHarness(t, cfg, pipeline.Defaults().MaxImageBytes, p, reg)
}

// newLimitedHarness is newHarness for images of up to maxImageBytes.
func newLimitedHarness(t *testing.T, cfg Config, maxImageBytes int64, p Pipeline, reg *prometheus.Registry) *harness {
	t.Helper()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	logs := &testenv.LockedBuffer{}
	srv, err := New(cfg, maxImageBytes, reg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		srv.Ready(p, "onnxruntime test")
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &harness{t: t, srv: srv, ts: ts, reg: reg, log: logs}
}

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test when it is not JSON.
func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d, body is not JSON (%v): %.300s", r.status, err, r.body)
	}
}

// apiErr decodes an error answer of the /v1 routes.
func (r reply) apiErr(t *testing.T) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	r.json(t, &e)
	return e.Error.Code, e.Error.Message
}

// do sends a request and reads the whole answer. It may run in any goroutine: a failure to
// send or read is a reply with status -1 and the error as its body.
func (h *harness) do(method, path, contentType string, body []byte, header ...string) reply {
	return h.doCtx(context.Background(), method, path, contentType, body, header...)
}

func (h *harness) doCtx(ctx context.Context, method, path, contentType string, body []byte, header ...string) reply {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.ts.URL+path, rd)
	if err != nil {
		return reply{status: -1, body: []byte(err.Error())}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		return reply{status: -1, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{status: -1, body: []byte(err.Error())}
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// metric returns the sum of the samples of the named metric whose labels include all of
// labels (name=value pairs), or -1 when there is none.
func (h *harness) metric(name string, labels ...string) float64 {
	h.t.Helper()
	families, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	sum, found := 0.0, false
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	samples:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue samples
				}
			}
			found = true
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			case m.Histogram != nil:
				sum += float64(m.Histogram.GetSampleCount())
			}
		}
	}
	if !found {
		return -1
	}
	return sum
}

// multipartBody builds a form with the file field image (when img is not nil) and fields.
func multipartBody(t testing.TB, img []byte, fields ...string) (contentType string, body []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if img != nil {
		fw, err := w.CreateFormFile("image", "photo.jpg")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(img)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// waitFor polls cond until it holds, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// gatedEngine wraps the real engine so that every inference waits at a gate, and can be made
// to panic: a slow (or broken) session with the real model behind it.
type gatedEngine struct {
	inner inference.Engine

	mu       sync.Mutex
	gate     chan struct{}
	waiting  atomic.Int32 // runs waiting at the gate
	canceled atomic.Int32 // runs whose context ended at the gate
	panics   atomic.Bool
}

func newGatedEngine(t *testing.T) *gatedEngine {
	return &gatedEngine{inner: testmodels.Engine(t), gate: make(chan struct{})}
}

// Load loads the model on the real engine and gates its session.
func (g *gatedEngine) Load(model []byte, opts inference.Options) (inference.Session, error) {
	s, err := g.inner.Load(model, opts)
	if err != nil {
		return nil, err
	}
	return gatedSession{Session: s, g: g}, nil
}

// open lets every waiting and future run through.
func (g *gatedEngine) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.gate:
	default:
		close(g.gate)
	}
}

type gatedSession struct {
	inference.Session
	g *gatedEngine
}

func (s gatedSession) Run(ctx context.Context, in, out []inference.Tensor) error {
	if s.g.panics.Load() {
		panic("test: session exploded")
	}
	s.g.mu.Lock()
	gate := s.g.gate
	s.g.mu.Unlock()
	s.g.waiting.Add(1)
	defer s.g.waiting.Add(-1)
	select {
	case <-gate:
	case <-ctx.Done():
		s.g.canceled.Add(1)
		return ctx.Err()
	}
	return s.Session.Run(ctx, in, out)
}

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
