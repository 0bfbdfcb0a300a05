package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/transport/camera"
)

// openAPIPath writes a gin route's parameters (/:name/) as OpenAPI does (/{name}/).
func openAPIPath(p string) string {
	return regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(p, "{$1}")
}

// TestCameraRoutes: a real MJPEG camera read by visiond, and every camera route read by a
// real client: the list, the newest results, a snapshot, the annotated MJPEG stream (parts
// that are JPEGs of the frame's size) and Server-Sent Events; all behind the API key.
func TestCameraRoutes(t *testing.T) {
	cam := testcamera.StartMJPEG(t, testenv.ReadImage(t, "airplane_airport_1280.jpg"), 10)
	cfg := camera.DefaultCamera()
	cfg.Name, cfg.URL = "apron", cam.URL+"/video"
	cams, err := camera.Start(context.Background(), camera.Config{cfg}, testpipeline.Shared(t),
		camera.Options{Helper: testcamera.Helper(t), MaxPixels: 40_000_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cams.Close)
	httpCfg := testConfig()
	httpCfg.APIKeys = []string{"k1"}
	h := newHarness(t, httpCfg, testpipeline.Shared(t), nil)
	key := []string{"X-API-Key", "k1"}

	if r := h.do("GET", "/v1/cameras", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a key: %d", r.status)
	}
	if r := h.do("GET", "/v1/cameras/apron/latest", "", nil, key...); r.status != http.StatusNotFound {
		t.Errorf("before cameras are served: %d %s", r.status, r.body)
	}
	h.srv.ServeCameras(cams)

	var latest answer
	deadline := time.Now().Add(testcamera.WaitLimit)
	for {
		r := h.do("GET", "/v1/cameras/apron/latest", "", nil, key...)
		if r.status == http.StatusOK {
			r.json(t, &latest)
			if len(latest.Results) == 1 && hasLabel(latest.Results[0].Results, "airplane") && latest.Results[0].Width == 1280 {
				break
			}
		} else if code, _ := r.apiErr(t); r.status != http.StatusServiceUnavailable || code != "no_frame" {
			t.Fatalf("latest: %d %s", r.status, r.body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no airplane in /latest within %v: %s", testcamera.WaitLimit, r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if latest.Camera != "apron" || latest.Frame == 0 {
		t.Errorf("latest: %+v", latest)
	}

	var list struct{ Cameras []camera.Status }
	h.do("GET", "/v1/cameras", "", nil, key...).json(t, &list)
	if len(list.Cameras) != 1 || list.Cameras[0].State != camera.StateStreaming || list.Cameras[0].FramesProcessed == 0 {
		t.Errorf("list: %+v", list)
	}
	if r := h.do("GET", "/v1/cameras/nope/snapshot.jpg", "", nil, key...); r.status != http.StatusNotFound {
		t.Errorf("unknown camera: %d", r.status)
	}

	r := h.do("GET", "/v1/cameras/apron/snapshot.jpg", "", nil, key...)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("snapshot: %d %s", r.status, r.header.Get("Content-Type"))
	}
	checkJPEG(t, "snapshot", r.body, 1280, 1280)

	t.Run("mjpeg", func(t *testing.T) {
		resp := h.open(t, "/v1/cameras/apron/stream.mjpeg", key...)
		defer resp.Body.Close()
		mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/x-mixed-replace" {
			t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
		}
		parts := multipart.NewReader(resp.Body, params["boundary"])
		for i := range 3 {
			p, err := parts.NextPart()
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			b, err := io.ReadAll(p)
			if err != nil || p.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("part %d: %v, %q", i, err, p.Header.Get("Content-Type"))
			}
			checkJPEG(t, "stream part", b, 1280, 1280)
		}
	})

	t.Run("events", func(t *testing.T) {
		resp := h.open(t, "/v1/cameras/apron/events", key...)
		defer resp.Body.Close()
		if resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var last uint64
		for events := 0; events < 2 && sc.Scan(); {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var l answer
			if err := json.Unmarshal([]byte(data), &l); err != nil || l.Camera != "apron" || l.Frame <= last || len(l.Results) != 1 {
				t.Fatalf("event %d: %v: %.200s", events, err, data)
			}
			last = l.Frame
			events++
		}
		if last == 0 {
			t.Fatalf("no events: %v", sc.Err())
		}
	})
}

// answer is the JSON of a camera's newest answer, as a client reads it.
type answer struct {
	Camera  string
	Frame   uint64
	Results []struct {
		Model   string
		Width   int
		Results []results.Detection
	}
}

// open starts a GET whose body the test reads as it comes.
func (h *harness) open(t *testing.T, path string, header ...string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testcamera.WaitLimit)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", h.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	return resp
}

// checkJPEG decodes b as a JPEG of w×h.
func checkJPEG(t *testing.T, what string, b []byte, w, h int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if img.Bounds() != image.Rect(0, 0, w, h) {
		t.Errorf("%s is %v, want %dx%d", what, img.Bounds(), w, h)
	}
}

// hasLabel says whether a detection has the label.
func hasLabel(dets []results.Detection, label string) bool {
	for _, d := range dets {
		if d.Class == label {
			return true
		}
	}
	return false
}
