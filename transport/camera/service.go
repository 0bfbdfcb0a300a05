// Package camera reads camera streams itself (RTSP, MJPEG over HTTP, V4L2 devices, video
// files) and answers their frames continuously through the same pipeline as HTTP and MQTT.
// The newest frame wins: a frame that arrives while the models are busy replaces the one
// waiting, so answers stay fresh. Each camera's answers go to the MQTT topics of MQTT cameras,
// to the HTTP routes under /v1/cameras (latest answer, snapshot, MJPEG stream, Server-Sent
// Events), and are counted per zone.
//
// OpenCV decodes the streams in a helper process, cmd/visiond-capture (one per camera,
// package capture), which writes RGBA frames to visiond over a pipe (package wire). A stream
// that breaks the decoder, or an OpenCV abort, ends that process and never the daemon;
// visiond starts it again, backing off from 1 to 30 seconds, and the daemon itself is built
// without OpenCV.
package camera

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// HelperName is the capture helper's file name, looked for beside the visiond executable and
// then on the PATH.
const HelperName = "visiond-capture"

// Runner runs requests on the loaded models: *pipeline.Pipeline.
type Runner interface {
	Run(ctx context.Context, req pipeline.Request) (*pipeline.Result, error)
	Models() []pipeline.ModelInfo
}

// Publisher publishes camera answers on MQTT: *mqtt.Service.
type Publisher interface {
	// PublishCamera publishes the answers to a frame read at read, with the label counts of
	// each zone.
	PublishCamera(camera string, read time.Time, results []*pipeline.Result, zones map[string]map[string]int)
	// Annotated says whether annotated frames are published.
	Annotated() bool
}

var _ Runner = (*pipeline.Pipeline)(nil)

// Options are what the cameras run with besides their configuration.
type Options struct {
	// Helper is the path of the capture helper (FindHelper finds it).
	Helper string
	// MaxPixels bounds a frame's width×height (the pipeline's max_pixels).
	MaxPixels int64
	// Publisher publishes answers on MQTT; nil when MQTT is off.
	Publisher Publisher
	// Registerer takes the metrics; nil keeps them unregistered.
	Registerer prometheus.Registerer
	// Log is the logger; nil logs to slog's default.
	Log *slog.Logger
}

// Service reads every configured camera until Close.
type Service struct {
	streams []*Stream
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Start checks the cameras' models against the loaded ones and starts reading every camera.
// Streams that cannot be opened are retried in the background; Start only fails on a
// configuration that cannot work.
func Start(ctx context.Context, cfg Config, pipe Runner, opts Options) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.MaxPixels <= 0 {
		return nil, errors.New("camera: MaxPixels must be positive")
	}
	if opts.Helper == "" {
		return nil, errors.New("camera: no capture helper (FindHelper finds it)")
	}
	m := newMetrics()
	if err := m.register(opts.Registerer); err != nil {
		return nil, fmt.Errorf("camera: registering metrics: %w", err)
	}
	s := &Service{}
	for _, c := range cfg {
		jobs, err := resolve(c, pipe.Models())
		if err != nil {
			return nil, fmt.Errorf("cameras %s: %w", c.Name, err)
		}
		cm := m.forCamera(c.Name)
		sl := newSlot()
		st := &Stream{
			cfg: c, jobs: jobs, opts: pipeline.Options{MinScore: c.MinScore, Classes: c.Classes},
			pipe: pipe, pub: opts.Publisher, slot: sl, metrics: cm, log: opts.Log,
			subs: map[chan *Latest]bool{},
		}
		st.src = &source{cam: c, helper: opts.Helper, maxPixels: opts.MaxPixels, slot: sl, metrics: cm, log: opts.Log, in: &st.in}
		s.streams = append(s.streams, st)
	}
	ctx, s.cancel = context.WithCancel(ctx)
	for _, st := range s.streams {
		s.wg.Add(2)
		go func() { defer s.wg.Done(); st.src.run(ctx) }()
		go func() { defer s.wg.Done(); st.process(ctx) }()
	}
	return s, nil
}

// resolve turns a camera's model names into jobs, one model per task; none means the default
// detection model.
func resolve(c Camera, loaded []pipeline.ModelInfo) ([]job, error) {
	tasks := map[string]catalog.Task{}
	detector := ""
	for _, m := range loaded {
		tasks[m.Name] = m.Task
		if m.Task == catalog.TaskDetect && m.Default {
			detector = m.Name
		}
	}
	if len(c.Models) == 0 {
		if detector == "" {
			return nil, fmt.Errorf("%w: it runs the default detection model, and none is loaded", catalog.ErrUnknownModel)
		}
		return []job{{task: catalog.TaskDetect, model: detector}}, nil
	}
	var jobs []job
	seen := map[catalog.Task]string{}
	for _, name := range c.Models {
		task, ok := tasks[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s is not loaded (add it to the models visiond loads)", catalog.ErrUnknownModel, name)
		}
		if other, dup := seen[task]; dup {
			return nil, fmt.Errorf("%s and %s are both %s models; a camera runs one model per task", other, name, task)
		}
		seen[task] = name
		jobs = append(jobs, job{task: task, model: name})
	}
	return jobs, nil
}

// Stream returns the named camera, or an error wrapping pipeline.ErrNotFound.
func (s *Service) Stream(name string) (*Stream, error) {
	for _, st := range s.streams {
		if st.cfg.Name == name {
			return st, nil
		}
	}
	return nil, fmt.Errorf("%w: no camera %q (GET /v1/cameras lists them)", pipeline.ErrNotFound, name)
}

// Status is one camera as GET /v1/cameras shows it.
type Status struct {
	Name string `json:"name"`
	// URL is the source, its password hidden.
	URL    string   `json:"url"`
	Models []string `json:"models"`
	// State is connecting, streaming, reconnecting or stopped, since Since.
	State string    `json:"state"`
	Since time.Time `json:"since"`
	// FPSIn and FPSOut are the frames read and answered per second, over the last seconds.
	FPSIn  float64 `json:"fps_in"`
	FPSOut float64 `json:"fps_out"`
	// The counts since visiond started.
	FramesRead      uint64 `json:"frames_read"`
	FramesProcessed uint64 `json:"frames_processed"`
	FramesDropped   uint64 `json:"frames_dropped"`
	Reconnects      uint64 `json:"reconnects"`
	DecodeErrors    uint64 `json:"decode_errors"`
	// LastError is the last reason the stream went down, or the last frame's error.
	LastError string `json:"last_error,omitempty"`
}

// List describes every camera, in configuration order.
func (s *Service) List() []Status {
	out := make([]Status, 0, len(s.streams))
	now := time.Now()
	for _, st := range s.streams {
		state, since, lastErr := st.src.status()
		st.mu.Lock()
		if st.lastErr != "" && state == StateStreaming {
			lastErr = st.lastErr
		}
		st.mu.Unlock()
		models := []string{}
		for _, j := range st.jobs {
			models = append(models, j.model)
		}
		m := st.metrics
		out = append(out, Status{
			Name: st.cfg.Name, URL: publicURL(st.cfg.URL), Models: models, State: state, Since: since,
			FPSIn: st.in.perSecond(now), FPSOut: st.out.perSecond(now),
			FramesRead: m.read.value(), FramesProcessed: m.processed.value(), FramesDropped: m.dropped.value(),
			Reconnects: m.reconnects.value(), DecodeErrors: m.decodeErrors.value(),
			LastError: redact(lastErr, st.cfg.URL),
		})
	}
	return out
}

// Close stops reading every camera and waits for the helpers to end.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// FindHelper returns the capture helper's path: beside the running executable, else on the
// PATH. Without it, cameras cannot be read: build it with make build (it needs OpenCV).
func FindHelper() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), HelperName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(HelperName)
	if err != nil {
		return "", fmt.Errorf("camera: %s is neither beside visiond nor on the PATH (make build makes it where OpenCV is installed: apt-get install libopencv-dev)", HelperName)
	}
	return p, nil
}

// publicURL is u with its password hidden.
func publicURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, has := p.User.Password(); has {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
}

// redact hides u's credentials in a message (OpenCV names the URL in its errors).
func redact(msg, u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil || p.User.String() == "" {
		return msg
	}
	return strings.ReplaceAll(msg, p.User.String()+"@", "xxxxx@")
}
