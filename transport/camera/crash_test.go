package camera

import (
	"strings"
	"syscall"
	"testing"

	"github.com/visiond/visiond/internal/testcamera"
)

// TestHelperAbort: when the capture helper dies as OpenCV's aborts end it (SIGABRT), visiond
// goes on: the camera shows the reason, reconnects, and is answered again.
func TestHelperAbort(t *testing.T) {
	s := startCameras(t, Config{camera("door", testcamera.Video(t, 320, 240, 10, 30, "airplane_airport_1280.jpg"), 5)}, nil)
	st, _ := s.Stream("door")
	before := waitFor(t, st, "an airplane", has("airplane"))
	procs := helpers(t)
	if len(procs) != 1 {
		t.Fatalf("want one capture helper, found %d", len(procs))
	}
	for pid := range procs {
		if err := syscall.Kill(pid, syscall.SIGABRT); err != nil {
			t.Fatal(err)
		}
	}
	got := waitStatus(t, s, "door", "reconnecting after the abort", func(st Status) bool { return st.Reconnects >= 1 })
	if !strings.Contains(got.LastError, "abort") {
		t.Errorf("reason %q, want the abort", got.LastError)
	}
	waitFor(t, st, "an answer after the helper came back", func(l *Latest) bool { return l.Frame > before.Frame && len(detections(l)) > 0 })
}
