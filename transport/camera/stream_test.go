package camera

import (
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testenv"
)

// restartLimit is how soon after an RTSP server comes back its camera must be answered again:
// the backoff reached while it was down (1 + 2 + 4 s) plus opening the stream.
const restartLimit = 20 * time.Second

// TestRTSP: GStreamer's RTSP server serves H.264 and MJPEG made of the airport photo, then the
// street photo. visiond finds the airplanes, then people and cars after the switch. The server
// is killed: the cameras go to reconnecting with the reason; it comes back on the same port:
// frames are answered again within restartLimit.
func TestRTSP(t *testing.T) {
	h264 := testcamera.Video(t, 640, 480, 10, 4, "airplane_airport_1280.jpg", "street_coco_000000373353.jpg")
	srv := testcamera.StartRTSP(t, h264)
	s := startCameras(t, Config{camera("h264", srv.URL("h264"), 10), camera("mjpeg", srv.URL("mjpeg"), 10)}, nil)
	for _, name := range []string{"h264", "mjpeg"} {
		st, _ := s.Stream(name)
		first := waitFor(t, st, "an airplane", has("airplane"))
		if r := first.Results[0]; r.Width != 640 || r.Height != 480 {
			t.Errorf("%s: frames of %dx%d, want 640x480", name, r.Width, r.Height)
		}
		waitFor(t, st, "people and a car", has("person", "car"))
		if got := status(t, s, name); got.State != StateStreaming || got.FPSIn <= 0 {
			t.Errorf("%s while streaming: %+v", name, got)
		}
	}

	srv.Stop()
	for _, name := range []string{"h264", "mjpeg"} {
		got := waitStatus(t, s, name, "reconnecting", func(st Status) bool { return st.State == StateReconnecting })
		t.Logf("%s after the server died: %s", name, got.LastError)
	}
	time.Sleep(3 * time.Second) // let the backoff grow while the server is away
	before := map[string]uint64{}
	for _, name := range []string{"h264", "mjpeg"} {
		st, _ := s.Stream(name)
		l, _ := st.Latest()
		before[name] = l.Frame
	}
	srv.Start()
	back := time.Now()
	for _, name := range []string{"h264", "mjpeg"} {
		st, _ := s.Stream(name)
		waitFor(t, st, "a frame after the restart", func(l *Latest) bool { return l.Frame > before[name] })
		if took := time.Since(back); took > restartLimit {
			t.Errorf("%s: answered again %v after the server came back, want within %v", name, took, restartLimit)
		} else {
			t.Logf("%s: answered again %v after the server came back", name, took.Round(100*time.Millisecond))
		}
	}
}

// TestMJPEGOverHTTP: an IP camera's MJPEG stream over HTTP, whose picture changes.
func TestMJPEGOverHTTP(t *testing.T) {
	srv := testcamera.StartMJPEG(t, testenv.ReadImage(t, "airplane_airport_1280.jpg"), 10)
	start := time.Now()
	s := startCameras(t, Config{camera("ipcam", srv.URL+"/video.mjpg", 5)}, nil)
	st, _ := s.Stream("ipcam")
	first := waitFor(t, st, "an airplane", has("airplane"))
	if r := first.Results[0]; r.Width != 1280 || r.Height != 1280 {
		t.Errorf("frames of %dx%d, want the photo's 1280x1280", r.Width, r.Height)
	}
	srv.Show(testenv.ReadImage(t, "street_coco_000000373353.jpg"))
	waitFor(t, st, "people and a car", has("person", "car"))
	// The server sends 10 frames a second; the cap lets through 5 a second and a burst of 2.
	got := status(t, s, "ipcam")
	if most := 2 + 5*time.Since(start).Seconds(); got.FPSIn <= 0 || float64(got.FramesRead) > most {
		t.Errorf("%d frames read (%.2f a second lately) in %v, with a cap of 5 a second: want at most %.0f",
			got.FramesRead, got.FPSIn, time.Since(start), most)
	}
}
