package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

// source says which message an answer is about.
type source struct {
	Camera    string          `json:"camera,omitempty"`
	Topic     string          `json:"topic"`
	ID        json.RawMessage `json:"id,omitempty"`
	Timestamp time.Time       `json:"timestamp"`
}

// resultMessage is published on <prefix>/<camera>/detections, or to a request's reply_to.
// The fields after the source are those of the HTTP answer.
type resultMessage struct {
	source
	Model   string             `json:"model"`
	Task    catalog.Task       `json:"task"`
	Width   int                `json:"width"`
	Height  int                `json:"height"`
	Results any                `json:"results"`
	Timings map[string]float64 `json:"timings_ms"`
}

// errorMessage is published on <prefix>/<camera>/error, or to a request's reply_to.
type errorMessage struct {
	source
	// Error is a stable code (see errorCode); Reason says what was wrong, for people.
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// sourceOf describes the message m, with the id its payload carried.
func sourceOf(m *inbound, p payload) source {
	return source{Camera: m.camera, Topic: m.topic, ID: p.id, Timestamp: m.received.UTC()}
}

// newResult builds the answer to one model run; total is the time since the message arrived.
func newResult(src source, res *pipeline.Result, total time.Duration) resultMessage {
	return resultMessage{
		source: src, Model: res.Model, Task: res.Task, Width: res.Width, Height: res.Height,
		Results: res.Results, Timings: timingsMillis(res.Timings, total),
	}
}

// timingsMillis lists the stage durations in milliseconds.
func timingsMillis(t pipeline.Timings, total time.Duration) map[string]float64 {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := map[string]float64{
		"queue": ms(t.Queue), "decode": ms(t.Decode), "preprocess": ms(t.Preprocess),
		"inference": ms(t.Inference), "postprocess": ms(t.Postprocess), "total": ms(total),
	}
	if t.Annotate > 0 {
		out["annotate"] = ms(t.Annotate)
	}
	return out
}

// errorCodes are the codes of error messages, tried in order.
var errorCodes = []struct {
	err  error
	code string
}{
	{preprocess.ErrTooLarge, "too_large"},
	{preprocess.ErrUnsupportedFormat, "unsupported_format"},
	{preprocess.ErrBadImage, "bad_image"},
	{ErrBadPayload, "bad_payload"},
	{catalog.ErrUnknownModel, "unknown_model"},
	{pipeline.ErrUnknownTask, "unknown_model"},
	{models.ErrBadOption, "bad_option"},
	{pipeline.ErrBusy, "busy"},
	{context.DeadlineExceeded, "timeout"},
	{pipeline.ErrClosed, "shutting_down"},
	{context.Canceled, "shutting_down"},
}

// errorCode is the one mapping from errors of parsing and of the core to the codes of error
// messages (and of the errors metric). Internal errors keep their details out of the reason.
func errorCode(err error) (code, reason string) {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code, err.Error()
		}
	}
	return "internal", "internal error"
}
