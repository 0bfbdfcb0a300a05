package camera

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/pipeline"
)

// TestVideoFile: a video file is read at its own frame rate, its frames answered without a
// JPEG round trip, and started again at its end: the airplanes of the first photo, then
// the people and cars of the second, then the airplanes again.
func TestVideoFile(t *testing.T) {
	path := testcamera.Video(t, 640, 480, 10, 3, "airplane_airport_1280.jpg", "street_coco_000000373353.jpg")
	s := startCameras(t, Config{camera("replay", path, 10)}, nil)
	st, err := s.Stream("replay")
	if err != nil {
		t.Fatal(err)
	}
	first := waitFor(t, st, "an airplane", has("airplane"))
	if r := first.Results[0]; r.Width != 640 || r.Height != 480 || r.Model != "coco-ssd" {
		t.Errorf("answer of %s on %dx%d, want coco-ssd on 640x480", r.Model, r.Width, r.Height)
	}
	if r := first.Results[0]; r.Timings.Decode > r.Timings.Inference {
		t.Errorf("decoding a decoded frame took %v, longer than inference (%v)", r.Timings.Decode, r.Timings.Inference)
	}
	waitFor(t, st, "people and a car", has("person", "car"))
	waitFor(t, st, "an airplane again, after the file restarted", has("airplane"))
	got := status(t, s, "replay")
	if got.FramesRead < 30 || got.FramesProcessed == 0 || got.Reconnects == 0 {
		t.Errorf("status after one replay: %+v", got)
	}
}

// TestMissingSource: a file that does not exist and an RTSP server that is not there leave
// their cameras reconnecting with the reason, backing off, and answer no_frame; a good
// camera beside them is not affected.
func TestMissingSource(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nobody listens there now
	good := testcamera.Video(t, 320, 240, 5, 2, "airplane_airport_1280.jpg")
	s := startCameras(t, Config{
		camera("nofile", "/nonexistent/camera.mp4", 5),
		camera("norstp", fmt.Sprintf("rtsp://user:secret@%s/live", closed), 5),
		camera("good", good, 5),
	}, nil)
	for _, name := range []string{"nofile", "norstp"} {
		st := waitStatus(t, s, name, "reconnecting twice", func(st Status) bool { return st.Reconnects >= 2 })
		if st.State != StateReconnecting && st.State != StateConnecting || st.LastError == "" || st.FramesRead != 0 {
			t.Errorf("%s: %+v, want reconnecting with a reason", name, st)
		}
		t.Logf("%s: %s, %d reconnects: %s", name, st.State, st.Reconnects, st.LastError)
		stream, _ := s.Stream(name)
		if _, err := stream.Latest(); !errors.Is(err, pipeline.ErrNoFrame) {
			t.Errorf("%s: latest: %v, want no_frame", name, err)
		}
	}
	for _, st := range s.List() {
		for _, leak := range []string{"secret"} {
			if strings.Contains(st.URL, leak) || strings.Contains(st.LastError, leak) {
				t.Errorf("%s shows the password: %+v", st.Name, st)
			}
		}
	}
	nofile, _ := s.Stream("nofile")
	var stops []func()
	for range MaxSubscribers {
		_, stop, err := nofile.Subscribe(false)
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, stop)
	}
	if _, _, err := nofile.Subscribe(true); !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("subscriber %d: %v, want busy", MaxSubscribers+1, err)
	}
	stops[0]()
	if _, stop, err := nofile.Subscribe(true); err != nil {
		t.Errorf("after one left: %v", err)
	} else {
		stop()
	}
	goodStream, _ := s.Stream("good")
	waitFor(t, goodStream, "an airplane", has("airplane"))
	if _, err := s.Stream("nope"); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("unknown camera: %v", err)
	}
}
