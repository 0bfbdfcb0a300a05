package web_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/version"
)

// TestLoadingThenReady opens the page while visiond still loads its models: the page says
// so, holds a photo given meanwhile, and sends it once the models are in.
func TestLoadingThenReady(t *testing.T) {
	d := serveDaemon(t)
	tab := newTab(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(d.url+"/"))
	waitJS(t, tab, "the loading message", `document.getElementById('state').textContent.startsWith('Loading models')`, 20*time.Second)
	if v := eval[string](t, tab, `document.getElementById('version').textContent`); v != version.Version {
		t.Errorf("version shown: %q; /healthz says %q", v, version.Version)
	}
	upload(t, tab, testenv.Image(t, "airplane_airport_1280.jpg"))
	waitJS(t, tab, "the card to wait for the models",
		`document.querySelector('#cards .card .msg').textContent.includes('load its models')`, 10*time.Second)

	d.load(t)
	waitJS(t, tab, "the page to be ready", `document.getElementById('state').textContent === 'Ready'`, 20*time.Second)
	if c := readCard(t, tab, "airplane_airport_1280.jpg"); !c.Done || c.Boxes == 0 {
		t.Fatalf("the photo given while loading: %q, %d boxes", c.Msg, c.Boxes)
	}
	rows := eval[[]string](t, tab, `[...document.querySelectorAll('#models tr')].map((tr) => tr.textContent)`)
	if len(rows) != len(servedModels) {
		t.Errorf("models listed: %q; want %v", rows, servedModels)
	}
	tasks := eval[[]string](t, tab, `[...document.getElementById('task').options].map((o) => o.value)`)
	if !slices.Equal(tasks, []string{"detect", "classify", "pose", "hands"}) {
		t.Errorf("tasks offered: %q; want one per model", tasks)
	}
}

// TestLargePhoto sends a 39-megapixel photo (just under visiond's 40 MP limit): visiond
// answers it and the page shows it, and all the while the page's main thread keeps running.
func TestLargePhoto(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)

	// 7680×5120 grey stripes: small as a file, 39.3 million pixels once decoded.
	img := image.NewGray(image.Rect(0, 0, 7680, 5120))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 7680 / 64 * 16)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "large.jpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// A heartbeat every 20 ms records the longest the main thread was held.
	eval[bool](t, tab, `(() => {
  window.heartbeat = { last: performance.now(), longest: 0 };
  setInterval(() => {
    const now = performance.now();
    heartbeat.longest = Math.max(heartbeat.longest, now - heartbeat.last);
    heartbeat.last = now;
  }, 20);
  return true;
})()`)
	upload(t, tab, path)
	if c := readCard(t, tab, "large.jpg"); !c.Done {
		t.Fatalf("large.jpg: %q", c.Msg)
	}
	waitJS(t, tab, "the preview", `(() => { const i = document.querySelector('#cards .card img'); return i.complete && i.naturalWidth === 7680; })()`, 30*time.Second)
	// Two more frames painted after the preview, then read the heartbeat.
	longest := eval[float64](t, tab, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(heartbeat.longest))))`)
	t.Logf("longest main-thread pause while sending and showing a 39 MP photo: %.0f ms", longest)
	if longest > 1500 {
		t.Errorf("the page stalled for %.0f ms", longest)
	}
}
