package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// These tests drive process with a fake pipeline and a recording publisher: no broker, no models.

type published struct {
	topic    string
	retained bool
	payload  string
}

type recorder struct {
	mu   sync.Mutex
	msgs []published
}

func (r *recorder) publish(topic string, retained bool, payload []byte, done func(error)) {
	r.mu.Lock()
	r.msgs = append(r.msgs, published{topic, retained, string(payload)})
	r.mu.Unlock()
	done(nil)
}

func (r *recorder) close(context.Context) error { return nil }

// take returns and forgets what was published.
func (r *recorder) take() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.msgs
	r.msgs = nil
	return out
}

// fakePipeline answers each Run with the next of its answers.
type fakePipeline struct {
	answers []func(pipeline.Request) (*pipeline.Result, error)
	calls   int
}

func (f *fakePipeline) Run(_ context.Context, req pipeline.Request) (*pipeline.Result, error) {
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	return a(req)
}

func detected(labels ...string) func(pipeline.Request) (*pipeline.Result, error) {
	return func(req pipeline.Request) (*pipeline.Result, error) {
		dets := []results.Detection{}
		for _, l := range labels {
			dets = append(dets, results.Detection{Class: l, Score: 0.9, BBox: [4]float64{1, 2, 3, 4}})
		}
		res := &pipeline.Result{Model: "coco-ssd", Task: catalog.TaskDetect, Width: 640, Height: 480, Results: dets}
		res.Timings.Inference = 9 * time.Millisecond
		if req.Annotate {
			res.Annotated = []byte("JPEG")
		}
		return res, nil
	}
}

func failing(err error) func(pipeline.Request) (*pipeline.Result, error) {
	return func(pipeline.Request) (*pipeline.Result, error) { return nil, err }
}

func testService(t *testing.T, cfg Config, answers ...func(pipeline.Request) (*pipeline.Result, error)) (*Service, *recorder, *fakePipeline) {
	t.Helper()
	rt, err := newRouter(cfg, []pipeline.ModelInfo{{Name: "coco-ssd", Task: catalog.TaskDetect}})
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakePipeline{answers: answers}
	s := newService(context.Background(), cfg, fake, rt, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(s.cancel)
	rec := &recorder{}
	s.pub = rec
	return s, rec, fake
}

// arrive files a message as the broker client would, and takes it from the mailbox.
func arrive(t *testing.T, s *Service, topic, payload string) *inbound {
	t.Helper()
	s.receive(topic, []byte(payload))
	m, ok := s.box.take()
	if !ok {
		t.Fatal("mailbox closed")
	}
	return m
}

func topics(msgs []published) []string {
	var out []string
	for _, m := range msgs {
		r := ""
		if m.retained {
			r = " (retained)"
		}
		out = append(out, m.topic+"="+strings.TrimSpace(m.payload[:min(len(m.payload), 12)])+r)
	}
	return out
}

func TestFramePublishesDetectionsAnnotatedAndCounts(t *testing.T) {
	cfg := Defaults()
	cfg.Annotated = true
	s, rec, _ := testService(t, cfg, detected("person", "dog", "person"))
	s.process(arrive(t, s, "visiond/cam1/image", `{"image":"/9j/","id":"f1"}`))
	got := rec.take()
	want := []string{
		`visiond/cam1/detections={"camera":"c`, "visiond/cam1/annotated=JPEG",
		"visiond/cam1/objects/dog=1 (retained)", "visiond/cam1/objects/person=2 (retained)",
	}
	if fmt.Sprint(topics(got)) != fmt.Sprint(want) {
		t.Fatalf("published %q, want %q", topics(got), want)
	}
	var det struct {
		Camera, Topic, Model string
		ID                   string
		Timestamp            time.Time
		Task                 catalog.Task
		Width                int
		Results              []results.Detection
		Timings              map[string]float64 `json:"timings_ms"`
	}
	if err := json.Unmarshal([]byte(got[0].payload), &det); err != nil {
		t.Fatal(err)
	}
	if det.Camera != "cam1" || det.Topic != "visiond/cam1/image" || det.ID != "f1" || det.Model != "coco-ssd" ||
		det.Task != catalog.TaskDetect || det.Width != 640 || len(det.Results) != 3 || det.Results[1].Class != "dog" {
		t.Errorf("detections message: %+v", det)
	}
	if det.Timestamp.IsZero() || det.Timings["inference"] != 9 || det.Timings["total"] <= 0 {
		t.Errorf("timestamp %v, timings %v", det.Timestamp, det.Timings)
	}
	if n := testutil.ToFloat64(s.metrics.published.WithLabelValues("objects")); n != 2 {
		t.Errorf("objects published metric %v, want 2", n)
	}
}

func TestCountsFollowTheNewestFrame(t *testing.T) {
	s, rec, fake := testService(t, Defaults(), detected("person", "dog", "person"))
	first := arrive(t, s, "visiond/cam1/image", "\xff\xd8")
	second := arrive(t, s, "visiond/cam1/image", "\xff\xd8")
	third := arrive(t, s, "visiond/cam1/image", "\xff\xd8")

	s.process(first)
	rec.take()
	fake.answers = append(fake.answers, detected("person"))
	s.process(third)
	if got, want := topics(rec.take())[1:], []string{"visiond/cam1/objects/dog=0 (retained)", "visiond/cam1/objects/person=1 (retained)"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the dog left: %q, want %q", got, want)
	}
	fake.answers = append(fake.answers, detected("cat"))
	s.process(second) // finishes after a newer frame: its detections go out, its counts do not
	if got := topics(rec.take()); len(got) != 1 || !strings.HasPrefix(got[0], "visiond/cam1/detections") {
		t.Errorf("late frame published %q, want its detections only", got)
	}
	fake.answers = append(fake.answers, detected("person"))
	s.process(arrive(t, s, "visiond/cam1/image", "\xff\xd8")) // as the newest counted frame: nothing changes
	if got := topics(rec.take()); len(got) != 1 {
		t.Errorf("unchanged counts were published again: %q", got)
	}
}

func TestBusyPipelineKeepsNewestFrame(t *testing.T) {
	s, rec, fake := testService(t, Defaults(), failing(pipeline.ErrBusy), failing(pipeline.ErrBusy), detected("car"))
	s.process(arrive(t, s, "visiond/cam1/image", "\xff\xd8"))
	if fake.calls != 3 {
		t.Errorf("%d runs, want 3 (busy, busy, done)", fake.calls)
	}
	if got := topics(rec.take()); len(got) != 2 {
		t.Errorf("published %q, want detections and the car count", got)
	}
	if n := testutil.ToFloat64(s.metrics.dropped); n != 0 {
		t.Errorf("%v frames dropped, want 0", n)
	}
}

func TestBusyPipelineDropsSupersededFrame(t *testing.T) {
	s, rec, _ := testService(t, Defaults())
	old := arrive(t, s, "visiond/cam1/image", "\xff\xd8")
	s.pipe = &fakePipeline{answers: []func(pipeline.Request) (*pipeline.Result, error){
		func(pipeline.Request) (*pipeline.Result, error) {
			s.receive("visiond/cam1/image", []byte("\xff\xd8 newer")) // arrives while the pipeline is busy
			return nil, pipeline.ErrBusy
		},
	}}
	s.process(old)
	if got := rec.take(); len(got) != 0 {
		t.Errorf("superseded frame published %q", topics(got))
	}
	if n := testutil.ToFloat64(s.metrics.dropped); n != 1 {
		t.Errorf("%v frames dropped, want 1", n)
	}
	if !s.box.waiting("cam1") {
		t.Error("the newer frame is not waiting")
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		name, topic, payload string
		answer               func(pipeline.Request) (*pipeline.Result, error)
		wantTopic, wantCode  string
		wantReason           string
	}{
		{"bad image", "visiond/cam1/image", "hello", failing(fmt.Errorf("decoding: %w", preprocess.ErrBadImage)),
			"visiond/cam1/error", "bad_image", "decoding: bad image"},
		{"too large", "visiond/cam1/image", strings.Repeat("x", 101), nil, "visiond/cam1/error", "too_large", "payload of 101 bytes"},
		{"empty", "visiond/cam1/image", "", nil, "visiond/cam1/error", "bad_request", "empty message"},
		{"unknown model", "visiond/cam1/image", `{"image":"/9j/","model":"yolo"}`, nil, "visiond/cam1/error", "unknown_model", "yolo is not loaded"},
		{"internal", "visiond/cam1/image", "\xff\xd8", failing(errors.New("onnx: segfault-ish detail")),
			"visiond/cam1/error", "internal", "internal error"},
		{"request without reply_to", "visiond/request", "\xff\xd8", nil, "visiond/request/error", "bad_request", "reply_to"},
		{"request error goes to reply_to", "visiond/request", `{"image":"/9j/","reply_to":"me/answer"}`, failing(pipeline.ErrClosed),
			"me/answer", "shutting_down", "shutting down"},
	}
	for _, c := range cases {
		cfg := Defaults()
		cfg.MaxPayload = 100
		s, rec, _ := testService(t, cfg, c.answer)
		s.process(arrive(t, s, c.topic, c.payload))
		got := rec.take()
		var msg struct{ Error, Reason, Topic string }
		if len(got) != 1 || json.Unmarshal([]byte(got[0].payload), &msg) != nil {
			t.Errorf("%s: published %q, want one error message", c.name, topics(got))
			continue
		}
		if got[0].topic != c.wantTopic || msg.Error != c.wantCode || !strings.Contains(msg.Reason, c.wantReason) || msg.Topic != c.topic {
			t.Errorf("%s: %s %+v; want %s, code %s, reason with %q", c.name, got[0].topic, msg, c.wantTopic, c.wantCode, c.wantReason)
		}
		if n := testutil.ToFloat64(s.metrics.errors.WithLabelValues(c.wantCode)); n != 1 {
			t.Errorf("%s: errors metric %v", c.name, n)
		}
	}
}

func TestRequestIsAnsweredOnItsReplyTopic(t *testing.T) {
	s, rec, _ := testService(t, Defaults(), detected("cup"))
	s.process(arrive(t, s, "visiond/request", `{"image":"/9j/","id":7,"reply_to":"app/answers/1"}`))
	got := rec.take()
	var reply struct {
		ID      int
		Camera  string
		Results []results.Detection
	}
	if len(got) != 1 || got[0].topic != "app/answers/1" || json.Unmarshal([]byte(got[0].payload), &reply) != nil {
		t.Fatalf("published %q, want one reply on app/answers/1", topics(got))
	}
	if reply.ID != 7 || reply.Camera != "" || len(reply.Results) != 1 || reply.Results[0].Class != "cup" {
		t.Errorf("reply %+v", reply)
	}
}

func TestRouter(t *testing.T) {
	loaded := []pipeline.ModelInfo{{Name: "coco-ssd", Task: catalog.TaskDetect}, {Name: "mobilenet", Task: catalog.TaskClassify}}
	cfg := Defaults()
	cfg.ShareGroup = "g"
	cfg.Routes = []Route{{Filter: "visiond/garage/image", Models: []string{"coco-ssd", "mobilenet"}, MinScore: 0.3}, {Filter: "visiond/door/image"}}
	r, err := newRouter(cfg, loaded)
	if err != nil {
		t.Fatal(err)
	}
	want := "[$share/g/visiond/request $share/g/visiond/garage/image $share/g/visiond/door/image]"
	if got := fmt.Sprint(r.filters(cfg.Prefix, cfg.ShareGroup)); got != want {
		t.Errorf("filters %s, want %s", got, want)
	}
	jobs, _ := r.jobs("garage", "")
	if len(jobs) != 2 || jobs[1].model != "mobilenet" || jobs[1].task != catalog.TaskClassify || jobs[0].options.MinScore != 0.3 {
		t.Errorf("garage jobs %+v", jobs)
	}
	if jobs, _ := r.jobs("door", ""); len(jobs) != 1 || jobs[0].task != catalog.TaskDetect || jobs[0].model != "" {
		t.Errorf("door jobs %+v", jobs)
	}
	if jobs, _ := r.jobs("", "mobilenet"); len(jobs) != 1 || jobs[0].task != catalog.TaskClassify {
		t.Errorf("request naming mobilenet: %+v", jobs)
	}

	cfg.Routes = append(cfg.Routes, Route{Filter: "visiond/+/image"})
	r, _ = newRouter(cfg, loaded)
	if got := fmt.Sprint(r.filters(cfg.Prefix, "")); got != "[visiond/request visiond/+/image]" {
		t.Errorf("with a catch-all route, filters %s", got)
	}

	if _, err := newRouter(Defaults(), loaded[1:]); err == nil || !strings.Contains(err.Error(), "default detection model") {
		t.Errorf("default route without a detection model: %v", err)
	}
	for _, bad := range [][]string{{"posenet"}, {"coco-ssd", "coco-ssd"}} {
		cfg.Routes = []Route{{Filter: "visiond/+/image", Models: bad}}
		if _, err := newRouter(cfg, loaded); err == nil {
			t.Errorf("route with models %v accepted", bad)
		}
	}
}
