// Package testcamera makes real camera streams for the tests of the camera code: it builds the
// capture helper, writes video files of the shared photos with ffmpeg, and runs GStreamer's
// RTSP server and an MJPEG-over-HTTP server on free loopback ports. What is not installed
// skips the test, or fails it under VISIOND_REQUIRE_TESTDATA=1 (CI).
package testcamera

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// WaitLimit bounds every wait for a stream, a server or a tool; reaching it is a failure.
const WaitLimit = 60 * time.Second

// missing skips the test, or fails it in CI.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

var (
	helperOnce sync.Once
	helperPath string
	helperErr  error
)

// Helper builds the capture helper (cmd/visiond-capture, with the opencv tag) once per test
// process and returns its path.
func Helper(t testing.TB) string {
	t.Helper()
	if exec.Command("pkg-config", "--exists", "opencv4").Run() != nil {
		missing(t, "OpenCV is not installed (Debian: apt-get install libopencv-dev pkg-config)")
	}
	helperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "visiond-capture-")
		if err != nil {
			helperErr = err
			return
		}
		helperPath = filepath.Join(dir, "visiond-capture")
		cmd := exec.Command("go", "build", "-tags", "opencv", "-o", helperPath, "github.com/visiond/visiond/cmd/visiond-capture")
		if out, err := cmd.CombinedOutput(); err != nil {
			helperErr = fmt.Errorf("building the capture helper: %v\n%s", err, out)
		}
	})
	if helperErr != nil {
		t.Fatal(helperErr)
	}
	return helperPath
}

// Video writes an H.264 video file (.mp4) of the shared photos into a temporary folder, each
// photo shown for secs seconds, scaled and cropped to w×h, at fps, with a key frame a second
// so that clients start fast.
func Video(t testing.TB, w, h, fps int, secs float64, photos ...string) string {
	t.Helper()
	ffmpeg := testenv.Tool(t, "ffmpeg", "ffmpeg")
	out := filepath.Join(t.TempDir(), "video.mp4")
	args := []string{"-loglevel", "error", "-y"}
	var filter strings.Builder
	for i, p := range photos {
		args = append(args, "-loop", "1", "-t", fmt.Sprint(secs), "-i", testenv.Image(t, p))
		fmt.Fprintf(&filter, "[%d:v]scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,fps=%d[v%d];", i, w, h, w, h, fps, i)
	}
	for i := range photos {
		fmt.Fprintf(&filter, "[v%d]", i)
	}
	fmt.Fprintf(&filter, "concat=n=%d:v=1[out]", len(photos))
	args = append(args, "-filter_complex", filter.String(), "-map", "[out]",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", fmt.Sprint(fps), "-pix_fmt", "yuv420p")
	args = append(args, out)
	ctx, cancel := context.WithTimeout(context.Background(), WaitLimit)
	defer cancel()
	if b, err := exec.CommandContext(ctx, ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	return out
}

//go:embed rtsp_server.py
var rtspServer []byte

// RTSP is a GStreamer RTSP server on a loopback port, serving video files.
type RTSP struct {
	t      testing.TB
	port   int
	python string
	script string
	mounts []string
	cmd    *exec.Cmd
	done   chan struct{}
}

// StartRTSP serves an H.264 video file (an .mp4 from Video) at rtsp://127.0.0.1:PORT/h264 as it
// is, and at /mjpeg re-encoded as motion JPEG; each client gets it from its start, at its own
// frame rate. It stops when the test ends.
func StartRTSP(t testing.TB, h264File string) *RTSP {
	t.Helper()
	// Debian's python3-gi belongs to Debian's python3, which another python3 on the PATH may hide.
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = testenv.Tool(t, "python3", "python3 python3-gi")
	}
	if exec.Command(python, "-c", `import gi; gi.require_version("GstRtspServer", "1.0")`).Run() != nil {
		missing(t, "GStreamer's RTSP server is not installed (Debian: apt-get install gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav)")
	}
	script := filepath.Join(t.TempDir(), "rtsp_server.py")
	if err := os.WriteFile(script, rtspServer, 0o644); err != nil {
		t.Fatal(err)
	}
	src := "filesrc location=" + h264File + " ! qtdemux ! h264parse"
	r := &RTSP{t: t, port: testenv.FreePort(t), python: python, script: script, mounts: []string{
		"/h264=( " + src + " ! rtph264pay name=pay0 pt=96 config-interval=1 )",
		// The JPEG payloader needs planar 4:2:0 input to the encoder.
		"/mjpeg=( " + src + " ! avdec_h264 ! videoconvert ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )",
	}}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// URL is the address of a served file.
func (r *RTSP) URL(name string) string {
	return fmt.Sprintf("rtsp://127.0.0.1:%d/%s", r.port, name)
}

// Start starts the server (again, after Stop) on its port and waits until it listens.
func (r *RTSP) Start() {
	r.t.Helper()
	cmd := exec.Command(r.python, append([]string{r.script, fmt.Sprint(r.port)}, r.mounts...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	log := &testenv.LockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.done = cmd, make(chan struct{})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ready <- sc.Scan() && sc.Text() == "ready"
		for sc.Scan() {
		}
		cmd.Wait()
		close(r.done)
	}()
	select {
	case ok := <-ready:
		if !ok {
			r.t.Fatalf("RTSP server did not start:\n%s", log.String())
		}
	case <-time.After(WaitLimit):
		r.t.Fatalf("RTSP server not ready within %v:\n%s", WaitLimit, log.String())
	}
}

// Stop kills the server, as a crash would, and waits for it to end.
func (r *RTSP) Stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}
