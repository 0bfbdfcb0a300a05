package testcamera

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// MJPEG is an HTTP server streaming a JPEG as an IP camera does: multipart/x-mixed-replace,
// one part per frame, at a frame rate. Show changes the picture.
type MJPEG struct {
	*httptest.Server
	mu    sync.Mutex
	frame []byte
}

// StartMJPEG serves frame on every path at fps until the test ends.
func StartMJPEG(t testing.TB, frame []byte, fps int) *MJPEG {
	t.Helper()
	m := &MJPEG{frame: frame}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
		tick := time.NewTicker(time.Second / time.Duration(fps))
		defer tick.Stop()
		for {
			m.mu.Lock()
			jpeg := m.frame
			m.mu.Unlock()
			if _, err := fmt.Fprintf(w, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n", len(jpeg), jpeg); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}))
	t.Cleanup(func() {
		m.CloseClientConnections()
		m.Close()
	})
	return m
}

// Show makes frame the picture of the next parts.
func (m *MJPEG) Show(frame []byte) {
	m.mu.Lock()
	m.frame = frame
	m.mu.Unlock()
}
