package camera

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

const (
	// frameDeadline bounds the models' work on one frame.
	frameDeadline = 30 * time.Second
	// snapshotInterest is how long a snapshot request keeps frames annotated.
	snapshotInterest = 30 * time.Second
)

// errSuperseded: a newer frame came while this one waited for a worker.
var errSuperseded = errors.New("superseded by a newer frame")

// Latest is a camera's newest answer: the body of GET /v1/cameras/{name}/latest and of each
// Server-Sent Event.
type Latest struct {
	Camera string `json:"camera"`
	// Frame counts the frames read from the stream since visiond started.
	Frame uint64 `json:"frame"`
	// Timestamp is when the frame was read.
	Timestamp time.Time `json:"timestamp"`
	// Results are the answers of the camera's models, in the shape of the HTTP API.
	Results []*pipeline.Result `json:"results"`
	// Zones counts the detections of each label in each zone.
	Zones map[string]map[string]int `json:"zones,omitempty"`
}

// Annotated is the first result's annotated JPEG, or nil when none was made for this frame.
func (l *Latest) Annotated() []byte {
	if len(l.Results) == 0 {
		return nil
	}
	return l.Results[0].Annotated
}

// job is one model run on each frame.
type job struct {
	task  catalog.Task
	model string
}

// Stream is one configured camera, read and answered continuously.
type Stream struct {
	cfg     Camera
	jobs    []job
	opts    pipeline.Options
	pipe    Runner
	pub     Publisher
	src     *source
	slot    *slot
	metrics *cameraMetrics
	log     *slog.Logger
	in, out rate

	mu         sync.Mutex
	latest     *Latest
	lastErr    string
	subs       map[chan *Latest]bool // each subscriber, with whether it wants annotated frames
	snapshotAt time.Time
}

// Name is the camera's name.
func (s *Stream) Name() string { return s.cfg.Name }

// process answers the stream's frames until ctx ends.
func (s *Stream) process(ctx context.Context) {
	for {
		f := s.slot.take(ctx)
		if f == nil {
			return
		}
		l, err := s.answer(ctx, f)
		s.slot.release(f)
		switch {
		case errors.Is(err, errSuperseded):
			s.metrics.dropped.Inc()
		case err != nil && ctx.Err() == nil:
			s.fail(err)
		case err == nil:
			s.done(f, l)
		}
	}
}

// answer runs the camera's models on a frame, and counts the first detections in each zone.
func (s *Stream) answer(ctx context.Context, f *frame) (*Latest, error) {
	ctx, cancel := context.WithTimeout(ctx, frameDeadline)
	defer cancel()
	l := &Latest{Camera: s.cfg.Name, Frame: f.seq, Timestamp: f.at.UTC()}
	annotate := s.wantsAnnotated()
	var dets []results.Detection
	for i, j := range s.jobs {
		req := pipeline.Request{Task: j.task, Model: j.model, Decoded: f.img, Options: s.opts, Annotate: annotate && i == 0}
		res, err := s.run(ctx, req)
		if err != nil {
			return nil, err
		}
		if d, ok := res.Results.([]results.Detection); ok && dets == nil {
			dets = d
		}
		l.Results = append(l.Results, res)
	}
	if len(s.cfg.Zones) > 0 {
		l.Zones = countZones(inZones(zonesFor(s.cfg.Zones, f.img.Rect.Dx(), f.img.Rect.Dy()), dets))
	}
	return l, nil
}

// run calls the pipeline; while it is busy, run waits and tries again, unless a newer frame
// came meanwhile.
func (s *Stream) run(ctx context.Context, req pipeline.Request) (*pipeline.Result, error) {
	superseded := false
	res, err := pipeline.RetryBusy(ctx, func() (*pipeline.Result, error) { return s.pipe.Run(ctx, req) },
		func() bool { superseded = s.slot.waiting(); return superseded })
	if superseded {
		return nil, errSuperseded
	}
	return res, err
}

// done makes l the newest answer, hands it to the subscribers and publishes it on MQTT.
func (s *Stream) done(f *frame, l *Latest) {
	s.mu.Lock()
	s.latest, s.lastErr = l, ""
	for ch := range s.subs {
		offer(ch, l)
	}
	s.mu.Unlock()
	if s.pub != nil {
		s.pub.PublishCamera(s.cfg.Name, f.read, l.Results, l.Zones)
	}
	s.metrics.processed.Inc()
	s.out.tick(time.Now())
	s.metrics.latency.Observe(time.Since(f.read).Seconds())
}

// fail records a frame's error, logging it when it differs from the last one.
func (s *Stream) fail(err error) {
	s.mu.Lock()
	changed := err.Error() != s.lastErr
	s.lastErr = err.Error()
	s.mu.Unlock()
	if changed {
		s.log.Warn("camera: frame failed", "camera", s.cfg.Name, "code", pipeline.Code(err), "err", err)
	}
}

// offer hands l to a subscriber, replacing an answer it has not taken yet.
func offer(ch chan *Latest, l *Latest) {
	select {
	case <-ch:
	default:
	}
	ch <- l // the channel holds one, and only the stream's goroutine sends
}

// wantsAnnotated says whether frames are to be annotated now: MQTT publishes them, a live
// stream shows them, or a snapshot was asked for lately.
func (s *Stream) wantsAnnotated() bool {
	if s.pub != nil && s.pub.Annotated() {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, annotated := range s.subs {
		if annotated {
			return true
		}
	}
	return time.Since(s.snapshotAt) < snapshotInterest
}

// Latest is the newest answer, or ErrNoFrame when the stream has not been answered yet.
func (s *Stream) Latest() (*Latest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest == nil {
		return nil, s.noFrame()
	}
	return s.latest, nil
}

// noFrame is ErrNoFrame with the stream's state; s.mu is held.
func (s *Stream) noFrame() error {
	state, _, lastErr := s.src.status()
	if lastErr == "" {
		lastErr = s.lastErr
	}
	if lastErr != "" {
		return fmt.Errorf("%w: camera %s is %s (%s)", pipeline.ErrNoFrame, s.cfg.Name, state, lastErr)
	}
	return fmt.Errorf("%w: camera %s is %s", pipeline.ErrNoFrame, s.cfg.Name, state)
}

// Snapshot returns the newest annotated frame as JPEG. When frames are not being annotated,
// it asks for annotation and waits for the next answer, until ctx ends.
func (s *Stream) Snapshot(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	s.snapshotAt = time.Now()
	if s.latest != nil && s.latest.Annotated() != nil {
		jpeg := s.latest.Annotated()
		s.mu.Unlock()
		return jpeg, nil
	}
	s.mu.Unlock()
	ch, cancel, err := s.Subscribe(true)
	if err != nil {
		return nil, err
	}
	defer cancel()
	for {
		select {
		case l := <-ch:
			if jpeg := l.Annotated(); jpeg != nil {
				return jpeg, nil
			}
		case <-ctx.Done():
			s.mu.Lock()
			defer s.mu.Unlock()
			return nil, s.noFrame()
		}
	}
}

// Subscribe returns a channel that receives each new answer (a slow reader gets the newest
// and misses the rest), annotated when annotated is true, and the function that ends the
// subscription. A camera takes at most MaxSubscribers at once; more are pipeline.ErrBusy.
func (s *Stream) Subscribe(annotated bool) (<-chan *Latest, func(), error) {
	ch := make(chan *Latest, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.subs) >= MaxSubscribers {
		return nil, nil, fmt.Errorf("%w: camera %s already has %d live clients", pipeline.ErrBusy, s.cfg.Name, MaxSubscribers)
	}
	s.subs[ch] = annotated
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}, nil
}

// MaxSubscribers bounds the live clients of a camera (MJPEG streams, event streams and
// snapshots waiting for a frame).
const MaxSubscribers = 32
