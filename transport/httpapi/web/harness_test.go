package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/httpapi"
)

// The page's tests share the process's ONNX Runtime engine and models folder (so the TFLite
// graphs are converted once) and one Chromium; each test gets its own daemon and its own tab.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
	browserTmp    string
)

func TestMain(m *testing.M) {
	code := testmodels.Run(m)
	if browserCancel != nil {
		browserCancel()
	}
	if browserTmp != "" {
		os.RemoveAll(browserTmp)
	}
	os.Exit(code)
}

// servedModels are the models of the test daemon: one per task.
var servedModels = []string{"coco-ssd", "mobilenet", "posenet", "hands"}

// daemon is visiond's HTTP API over the real models, on a loopback port.
type daemon struct {
	url string
	srv *httpapi.Server
	// models are the options that load servedModels.
	models models.LoadOptions
	// reg holds the daemon's metrics, the pipeline's included.
	reg *prometheus.Registry
	// visionInFlight and visionMaxInFlight count the POSTs to /v1/... being answered, and
	// the most there ever were at once.
	visionInFlight, visionMaxInFlight atomic.Int32
	// refuse is how many of the next vision POSTs are refused as the daemon does when it is
	// overloaded (503 busy, Retry-After: 1), before they reach it.
	refuse atomic.Int32

	mu sync.Mutex
	// arrivals are the vision POSTs in the order they came, refused or not.
	arrivals []arrival
}

// arrival is one vision POST: when it came, and whether it was refused as busy.
type arrival struct {
	at      time.Time
	refused bool
}

// startDaemon serves the HTTP API, with the page, on 127.0.0.1 and a free port until the test
// ends, with its models loaded. keys, when given, are the API keys it demands.
func startDaemon(t *testing.T, keys ...string) *daemon {
	t.Helper()
	d := serveDaemon(t, keys...)
	d.load(t)
	return d
}

// serveDaemon starts the daemon as visiond serve does: listening at once, with no models yet
// (/readyz says loading) until load.
func serveDaemon(t *testing.T, keys ...string) *daemon {
	t.Helper()
	cfg := httpapi.Defaults()
	cfg.RequestTimeout = 30 * time.Second
	cfg.APIKeys = keys
	logs := &testenv.LockedBuffer{}
	d := &daemon{reg: prometheus.NewRegistry(), models: testpipeline.Load(t, nil, servedModels...)}
	srv, err := httpapi.New(cfg, pipeline.Defaults().MaxImageBytes, d.reg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	d.srv = srv
	ts := httptest.NewServer(d.count(srv.Handler()))
	d.url = ts.URL
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	return d
}

// load opens the pipeline of the daemon's models and makes the daemon answer with it.
func (d *daemon) load(t *testing.T) {
	t.Helper()
	cfg := pipeline.Defaults()
	cfg.Workers = 2
	p, err := pipeline.Open(cfg, servedModels, d.models, d.reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	d.srv.Ready(p, "onnxruntime")
}

// count wraps the daemon's handler to track the vision requests it answers at once, and to
// refuse the next ones when the test asks for it.
func (d *daemon) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/v1/") {
			h.ServeHTTP(w, r)
			return
		}
		n := d.visionInFlight.Add(1)
		defer d.visionInFlight.Add(-1)
		for {
			top := d.visionMaxInFlight.Load()
			if n <= top || d.visionMaxInFlight.CompareAndSwap(top, n) {
				break
			}
		}
		refused := false
		for left := d.refuse.Load(); left > 0 && !refused; left = d.refuse.Load() {
			refused = d.refuse.CompareAndSwap(left, left-1)
		}
		d.mu.Lock()
		d.arrivals = append(d.arrivals, arrival{at: time.Now(), refused: refused})
		d.mu.Unlock()
		if refused {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"busy","message":"every worker is busy and the queue is full"}}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// visionArrivals returns the vision POSTs so far.
func (d *daemon) visionArrivals() []arrival {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]arrival(nil), d.arrivals...)
}

// metric is the value of the first sample of a counter or gauge in the daemon's registry whose
// labels include labels (name, value pairs); -1 when there is none.
func (d *daemon) metric(name string, labels ...string) float64 {
	families, err := d.reg.Gather()
	if err != nil {
		return -1
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m.GetLabel(), labels) {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue() // one of them is nil: 0
			}
		}
	}
	return -1
}

// hasLabels reports whether have holds every name, value pair of want.
func hasLabels(have []*dto.LabelPair, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		if !slices.ContainsFunc(have, func(l *dto.LabelPair) bool { return l.GetName() == want[i] && l.GetValue() == want[i+1] }) {
			return false
		}
	}
	return true
}

// chromium is Debian's Chromium, or a skip (a failure under VISIOND_REQUIRE_TESTDATA=1).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found: install it (apt-get install chromium) to run the page's browser tests"
	if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newTab opens a tab in the shared headless Chromium, closed when the test ends. The browser
// starts on first use, with a fake camera that plays a file made from the shared photos.
func newTab(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	frames := cameraFrames(t)
	browserOnce.Do(func() {
		if browserTmp, browserErr = os.MkdirTemp("", "visiond-web-chromium-"); browserErr != nil {
			return
		}
		video := filepath.Join(browserTmp, "camera.mjpeg")
		if browserErr = writeMJPEG(video, frames); browserErr != nil {
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(filepath.Join(browserTmp, "profile")),
			chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", video),
		)
		ctx, cancel := chromedp.NewContext(alloc)
		browserCtx = ctx
		browserCancel = func() { cancel(); cancelAlloc() }
		browserErr = chromedp.Do(ctx) // starts the browser
	})
	if browserErr != nil {
		t.Fatal("starting chromium: ", browserErr)
	}
	tab, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal("opening a tab: ", err)
	}
	// Every page the tab opens records what the browser blocked under the page's security
	// policy and any script error nobody caught; there must be none.
	within(t, tab, 5*time.Second, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: problemsJS})
		return chromedp.Void{}, err
	})
	t.Cleanup(func() {
		if problems := eval[[]string](t, tab, `window.pageProblems || []`); len(problems) > 0 {
			t.Errorf("the page had problems: %q", problems)
		}
	})
	return tab
}

// problemsJS collects the page's policy violations and uncaught errors in pageProblems.
const problemsJS = `window.pageProblems = [];
document.addEventListener('securitypolicyviolation', (e) => pageProblems.push('blocked by ' + e.violatedDirective + ': ' + e.blockedURI));
window.addEventListener('error', (e) => pageProblems.push('error: ' + e.message));
window.addEventListener('unhandledrejection', (e) => pageProblems.push('unhandled rejection: ' + e.reason));`

// within runs steps on the tab, failing the test when they fail or take over limit.
func within(t *testing.T, tab context.Context, limit time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression on the tab (awaiting a promise) into a T.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.80s: %v", expr, err)
	}
	return v
}

// waitJS polls a JavaScript expression until it is truthy, failing after limit.
func waitJS(t *testing.T, tab context.Context, what, expr string, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, limit+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// screenshotDir is where screenshots go: $VISIOND_SCREENSHOTS when set (make screenshots),
// else the test's temporary folder.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VISIOND_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
