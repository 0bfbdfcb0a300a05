package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLiveCamera films Chromium's fake camera (the airplane photo panning) in live mode: the
// page must keep exactly one request in flight, show its frame rate, draw the boxes over the
// video, and wait as Retry-After says when visiond is busy.
func TestLiveCamera(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)
	chooseTask(t, tab, "detect")
	within(t, tab, 10*time.Second, chromedp.Click(chromedp.ID("cam-start")))
	waitJS(t, tab, "the camera to play", `document.getElementById('video').videoWidth > 0 && !document.getElementById('cam-live').disabled`, 20*time.Second)

	// One photo from the camera first: it goes through like a chosen file.
	within(t, tab, 10*time.Second, chromedp.Click(chromedp.ID("cam-shot")))
	waitJS(t, tab, "the camera photo's card", `!!document.querySelector('#cards .card')`, 10*time.Second)
	name := eval[string](t, tab, `document.querySelector('#cards .card .name').textContent`)
	if c := readCard(t, tab, name); !strings.HasPrefix(name, "camera-") || !c.Done || c.Boxes == 0 || !strings.Contains(c.Result, `"width":640,"height":480`) {
		t.Errorf("photo from the camera: %q, %q, %d boxes, result %.200s; want a 640x480 frame with the airplanes", name, c.Msg, c.Boxes, c.Result)
	}

	// Sample the pipeline's gauges while the page films: busy workers plus queued requests
	// is what this tab has in flight inside the daemon.
	stop, sampled := make(chan struct{}), make(chan float64)
	go func() {
		most := 0.0
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sampled <- most
				return
			case <-tick.C:
				most = max(most, d.metric("visiond_pipeline_busy_workers")+d.metric("visiond_pipeline_queue_depth"))
			}
		}
	}()

	within(t, tab, 10*time.Second, chromedp.Click(chromedp.ID("cam-live")))
	frames := `parseInt(document.getElementById('live-frames').textContent, 10)`
	waitJS(t, tab, "15 frames answered", frames+` >= 15`, 60*time.Second)
	fps := eval[string](t, tab, `document.getElementById('live-fps').textContent`)
	latency := eval[string](t, tab, `document.getElementById('live-latency').textContent`)
	// visiond is overloaded for two frames: the page must wait a second after each.
	d.refuse.Store(2)
	waitJS(t, tab, "the busy message", `document.getElementById('cam-msg').textContent.includes('busy')`, 10*time.Second)
	waitJS(t, tab, "30 frames answered", frames+` >= 30`, 60*time.Second)
	boxes := eval[int](t, tab, `document.querySelectorAll('#cam-overlay g.det').length`)
	list := eval[string](t, tab, `document.getElementById('live-results').textContent`)
	shot := screenshot(t, tab, "#camera")
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "page-live.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, tab, 10*time.Second, chromedp.Click(chromedp.ID("cam-live")))
	waitJS(t, tab, "live mode to stop", `document.getElementById('cam-live').getAttribute('aria-pressed') === 'false'`, 10*time.Second)
	close(stop)
	most := <-sampled

	if f, err := strconv.ParseFloat(fps, 64); err != nil || f <= 0 {
		t.Errorf("frames per second shown: %q", fps)
	}
	if ms, err := strconv.Atoi(latency); err != nil || ms <= 0 {
		t.Errorf("latency shown: %q", latency)
	}
	if boxes == 0 || !strings.Contains(list, "airplane") {
		t.Errorf("over the video: %d boxes; listed: %q; want the airplanes", boxes, list)
	}
	if n := d.visionMaxInFlight.Load(); n != 1 {
		t.Errorf("at most %d requests were in flight at once; want exactly 1", n)
	}
	if most != 1 {
		t.Errorf("busy workers + queued requests reached %v; want 1 (one frame at a time)", most)
	}
	if n := d.metric("visiond_http_requests_total", "endpoint", "/v1/detect", "status", "200"); n < 30 {
		t.Errorf("the daemon answered %v frames; want at least 30", n)
	}
	arrivals := d.visionArrivals()
	refused := 0
	for i, a := range arrivals {
		if !a.refused {
			continue
		}
		refused++
		if i+1 < len(arrivals) {
			if gap := arrivals[i+1].at.Sub(a.at); gap < 950*time.Millisecond {
				t.Errorf("the frame after a 503 with Retry-After: 1 came %v later; want at least 1 s", gap)
			}
		}
	}
	if refused != 2 {
		t.Errorf("%d frames were refused; want 2", refused)
	}
	t.Logf("live, before the 503s: %s frames/s, latency %s ms; %d boxes at the end", fps, latency, boxes)
}
