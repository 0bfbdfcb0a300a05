package mqtt

import (
	"encoding/json"
	"time"

	"github.com/visiond/visiond/pipeline"
)

// source says which message an answer is about.
type source struct {
	Camera    string          `json:"camera,omitempty"`
	Topic     string          `json:"topic,omitempty"`
	ID        json.RawMessage `json:"id,omitempty"`
	Timestamp time.Time       `json:"timestamp"`
}

// resultMessage is published on <prefix>/<camera>/detections, or to a request's reply_to:
// the pipeline's result, in the form HTTP answers it, beside the message's source.
type resultMessage struct {
	source
	*pipeline.Result
	// Zones counts the labels in each zone of a camera visiond reads itself.
	Zones map[string]map[string]int `json:"zones,omitempty"`
}

// errorMessage is published on <prefix>/<camera>/error, or to a request's reply_to.
type errorMessage struct {
	source
	// Error is a stable code (pipeline.Code); Reason says what was wrong, for people.
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// sourceOf describes the message m, with the id its payload carried.
func sourceOf(m *inbound, p payload) source {
	return source{Camera: m.camera, Topic: m.topic, ID: p.id, Timestamp: m.received.UTC()}
}

// newResult builds the answer to one model run; total is the time since the message arrived.
func newResult(src source, res *pipeline.Result, total time.Duration) resultMessage {
	res.Timings.Total = total
	return resultMessage{source: src, Result: res}
}

// errorCode is the code of err (pipeline.Code) and the reason to publish with it. Internal
// errors keep their details out of the reason.
func errorCode(err error) (code, reason string) {
	code = pipeline.Code(err)
	if code == pipeline.Internal {
		return code, "internal error"
	}
	return code, err.Error()
}
