package camera

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/visiond/visiond/transport/camera/wire"
)

// Stream states, as GET /v1/cameras and the metrics show them.
const (
	// StateConnecting: the helper is opening the stream.
	StateConnecting = "connecting"
	// StateStreaming: frames are coming in.
	StateStreaming = "streaming"
	// StateReconnecting: the stream dropped or never started; visiond waits, then tries again.
	StateReconnecting = "reconnecting"
	// StateStopped: visiond is shutting down.
	StateStopped = "stopped"
)

// states are every state, for the metrics.
var states = []string{StateConnecting, StateStreaming, StateReconnecting, StateStopped}

// Reconnection and stall limits.
const (
	// minBackoff and maxBackoff bound the wait before reopening a stream; it doubles after each
	// attempt that brought no frame.
	minBackoff = 1 * time.Second
	maxBackoff = 30 * time.Second
	// openTimeout is how long a stream may take to deliver its first frame, and stallTimeout
	// how long it may then go without one, before the helper is stopped and started again.
	openTimeout  = 20 * time.Second
	stallTimeout = 10 * time.Second
	// stderrKeep is how much of the start and of the end of the helper's standard error is kept
	// for the reason.
	stderrKeep = 4 << 10
)

// source reads one stream through the capture helper, starting it again with backoff whenever
// it ends, and puts the frames in slot.
type source struct {
	cam       Camera
	helper    string
	maxPixels int64
	slot      *slot
	metrics   *cameraMetrics
	log       *slog.Logger
	in        *rate // frames read

	mu      sync.Mutex
	state   string
	reason  string
	since   time.Time
	logged  string // the state and reason last logged
	lastErr string
	seq     uint64
}

// run reads the stream until ctx ends.
func (s *source) run(ctx context.Context) {
	backoff := minBackoff
	for {
		s.setState(StateConnecting, "")
		got, err := s.session(ctx)
		if ctx.Err() != nil {
			s.setState(StateStopped, "")
			return
		}
		if got {
			backoff = minBackoff
		}
		s.setState(StateReconnecting, err.Error())
		s.metrics.reconnects.Inc()
		select {
		case <-ctx.Done():
			s.setState(StateStopped, "")
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// session runs the helper once, reading its frames until it ends. It reports whether a frame
// came, and why the session ended.
func (s *source) session(ctx context.Context) (got bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.helper, "-fps", strconv.FormatFloat(s.cam.FPS, 'f', -1, 64),
		"-max-pixels", strconv.FormatInt(s.maxPixels, 10), s.cam.URL)
	cmd.Env = helperEnv()
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 2 * time.Second
	stderr := &output{max: stderrKeep}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return false, err
	}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("starting the capture helper: %w", err)
	}
	var stalled atomic.Bool
	watchdog := time.AfterFunc(openTimeout, func() { stalled.Store(true); cancel() })
	defer watchdog.Stop()

	readErr := s.read(bufio.NewReaderSize(out, 1<<20), func() {
		if !got {
			got = true
			s.setState(StateStreaming, "")
		}
		watchdog.Reset(stallTimeout)
	})
	cancel() // stop the helper if it is still running (a protocol error)
	waitErr := cmd.Wait()
	switch {
	case stalled.Load() && !got:
		return got, fmt.Errorf("no frame within %v", openTimeout)
	case stalled.Load():
		return got, fmt.Errorf("no frame for %v", stallTimeout)
	case killedBySignal(waitErr):
		return got, fmt.Errorf("capture helper died: %w", waitErr) // an OpenCV abort ends here
	case readErr != nil && !errors.Is(readErr, io.EOF):
		return got, readErr
	case stderr.reason() != "":
		return got, errors.New(redact(stderr.reason(), s.cam.URL))
	case waitErr != nil:
		return got, fmt.Errorf("capture helper: %w", waitErr)
	}
	return got, errors.New("the stream ended")
}

// read copies frames from the helper's output into the slot until it ends, calling alive
// after each record.
func (s *source) read(r io.Reader, alive func()) error {
	var rec wire.Record
	for {
		rec.Pix = s.slot.reuse()
		if err := wire.Read(r, &rec, s.maxPixels); err != nil {
			return err
		}
		alive()
		if rec.Kind == wire.DecodeError {
			s.metrics.decodeErrors.Inc()
			continue
		}
		img := &image.RGBA{Pix: rec.Pix, Stride: 4 * rec.Width, Rect: image.Rect(0, 0, rec.Width, rec.Height)}
		rec.Pix = nil // the frame owns them now
		s.mu.Lock()
		s.seq++
		seq := s.seq
		s.mu.Unlock()
		s.metrics.read.Inc()
		s.in.tick(time.Now())
		if s.slot.put(&frame{img: img, at: rec.Time, seq: seq, read: time.Now()}) {
			s.metrics.dropped.Inc()
		}
	}
}

// killedBySignal says whether the helper ended by a signal (SIGABRT, SIGSEGV...) rather than
// by exiting.
func killedBySignal(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// setState records the stream's state; a change of state or reason is logged once.
func (s *source) setState(state, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state != s.state {
		s.since = time.Now()
		s.metrics.setState(state)
	}
	s.state, s.reason = state, reason
	if reason != "" {
		s.lastErr = reason
	}
	key := state + "\x00" + reason
	if state == StateConnecting || key == s.logged {
		return // connecting is a moment of every attempt; the outcome is what is logged
	}
	s.logged = key
	switch state {
	case StateReconnecting:
		s.log.Warn("camera: stream down, retrying", "camera", s.cam.Name, "reason", reason)
	default:
		s.log.Info("camera: "+state, "camera", s.cam.Name)
	}
}

// status is the stream's state, since when, and the last error seen.
func (s *source) status() (state string, since time.Time, lastErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.since, s.lastErr
}

// helperEnv is the helper's environment: visiond's, with RTSP over TCP unless the FFmpeg
// capture options are set already (interleaved TCP loses no packets, so frames do not break up).
func helperEnv() []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("OPENCV_FFMPEG_CAPTURE_OPTIONS"); !ok {
		env = append(env, "OPENCV_FFMPEG_CAPTURE_OPTIONS=rtsp_transport;tcp")
	}
	return env
}

// output keeps the start and the end of what the helper writes to standard error: a crash
// (an OpenCV abort, "terminate called after throwing..." and Go's "SIGABRT: abort") is told at
// the start of a long report, an error in the last line.
type output struct {
	mu         sync.Mutex
	max        int
	head, tail []byte
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := o.max - len(o.head); room > 0 {
		o.head = append(o.head, p[:min(room, len(p))]...)
	}
	o.tail = append(o.tail, p...)
	if over := len(o.tail) - o.max; over > 0 {
		o.tail = o.tail[over:]
	}
	return len(p), nil
}

// crashLine finds the line that names a crash.
var crashLine = regexp.MustCompile(`(?m)^(terminate called.*|SIG[A-Z]+: .*|fatal error: .*|panic: .*)$`)

// reason is why the helper stopped: the crash it reported, else its last line.
func (o *output) reason() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if m := crashLine.Find(o.head); m != nil {
		return string(m)
	}
	lines := strings.Split(strings.TrimSpace(string(o.tail)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
