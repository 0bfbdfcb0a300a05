package camera

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// waitLimit bounds every wait for something a stream or visiond should do; reaching it is a
// failure, never a measurement.
const waitLimit = testcamera.WaitLimit

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

// testLog shows warnings and errors on stderr.
func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startCameras starts the cameras on the shared pipeline (coco-ssd, mobilenet) and stops
// them when the test ends.
func startCameras(t testing.TB, cfg Config, pub Publisher) *Service {
	t.Helper()
	return startOn(t, testpipeline.Shared(t), cfg, pub)
}

// startOn starts the cameras on pipe.
func startOn(t testing.TB, pipe *pipeline.Pipeline, cfg Config, pub Publisher) *Service {
	t.Helper()
	opts := Options{Helper: testcamera.Helper(t), MaxPixels: 40_000_000, Log: testLog()}
	if pub != nil {
		opts.Publisher = pub
	}
	s, err := Start(context.Background(), cfg, pipe, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// camera is a camera configuration with the defaults.
func camera(name, url string, fps float64) Camera {
	c := DefaultCamera()
	c.Name, c.URL, c.FPS = name, url, fps
	return c
}

// waitFor waits until ok holds for the camera's newest answer, polling, and returns it.
func waitFor(t testing.TB, st *Stream, what string, ok func(*Latest) bool) *Latest {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if l, err := st.Latest(); err == nil && ok(l) {
			return l
		}
		time.Sleep(50 * time.Millisecond)
	}
	l, err := st.Latest()
	t.Fatalf("camera %s: no answer with %s within %v; newest: %s, %v", st.Name(), what, waitLimit, describe(l), err)
	return nil
}

// status returns the camera's entry of List.
func status(t testing.TB, s *Service, name string) Status {
	t.Helper()
	for _, st := range s.List() {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no camera %s in %+v", name, s.List())
	return Status{}
}

// waitStatus waits until ok holds for the camera's status.
func waitStatus(t testing.TB, s *Service, name, what string, ok func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if st := status(t, s, name); ok(st) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := status(t, s, name)
	t.Fatalf("camera %s: not %s within %v: %+v", name, what, waitLimit, st)
	return st
}

// detections are the first result's detections.
func detections(l *Latest) []results.Detection {
	if l == nil || len(l.Results) == 0 {
		return nil
	}
	d, _ := l.Results[0].Results.([]results.Detection)
	return d
}

// labels are the distinct labels of the first result.
func labels(l *Latest) []string {
	var out []string
	for _, d := range detections(l) {
		if !slices.Contains(out, d.Class) {
			out = append(out, d.Class)
		}
	}
	slices.Sort(out)
	return out
}

// has says whether the newest answer found each of the labels.
func has(want ...string) func(*Latest) bool {
	return func(l *Latest) bool {
		got := labels(l)
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	}
}

// describe summarises an answer for failure messages.
func describe(l *Latest) string {
	if l == nil {
		return "none"
	}
	return fmt.Sprintf("frame %d %v", l.Frame, labels(l))
}
