package mqtt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/imagedata"
)

// payload is what an image or request message carries.
type payload struct {
	// image is the encoded image.
	image []byte
	// id is the sender's message id, a JSON string or number, echoed in the answer.
	id json.RawMessage
	// replyTo is where a request's answer goes.
	replyTo string
	// model, when set, runs instead of the route's models.
	model string
}

// envelope is the JSON form of a message: {"image": base64, "id": .., "reply_to": .., "model": ..}.
type envelope struct {
	Image   string          `json:"image"`
	ID      json.RawMessage `json:"id"`
	ReplyTo string          `json:"reply_to"`
	Model   string          `json:"model"`
}

// parsePayload reads a message: raw image bytes, or a JSON envelope when its first non-blank
// byte is '{' (no image format starts so). Messages over max bytes are refused unread. A
// reply_to must be a topic outside visiond's own, under prefix (see replyTopic).
func parsePayload(b []byte, max int64, prefix string) (payload, error) {
	if int64(len(b)) > max {
		return payload{}, fmt.Errorf("%w: payload of %d bytes, the limit is %d", preprocess.ErrTooLarge, len(b), max)
	}
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) == 0 {
		return payload{}, fmt.Errorf("%w: empty message", pipeline.ErrBadRequest)
	}
	if trimmed[0] != '{' {
		return payload{image: b}, nil
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return payload{}, fmt.Errorf("%w: JSON envelope: %v", pipeline.ErrBadRequest, err)
	}
	// The fields read so far are returned with an error, so the error can reach reply_to.
	var p payload
	if env.ReplyTo != "" {
		if err := replyTopic(prefix, env.ReplyTo); err != nil {
			return p, fmt.Errorf("%w: reply_to: %v", pipeline.ErrBadRequest, err)
		}
	}
	p.replyTo = env.ReplyTo
	if !scalarID(env.ID) {
		return p, fmt.Errorf("%w: id must be a string or a number, got %s", pipeline.ErrBadRequest, env.ID)
	}
	if string(env.ID) != "null" {
		p.id = env.ID
	}
	p.model = env.Model
	img, err := imagedata.Decode(env.Image)
	if err != nil {
		return p, fmt.Errorf("%w: %v", pipeline.ErrBadRequest, err)
	}
	p.image = img
	return p, nil
}

// scalarID accepts an absent or null id, a string or a number.
func scalarID(id json.RawMessage) bool {
	return len(id) == 0 || string(id) == "null" || id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9')
}

// maxReplyTo is the longest reply_to accepted, in bytes (MQTT allows 65,535).
const maxReplyTo = 1024

// replyTopic checks a reply_to: a topic one can publish to (not empty, no wildcards, no NUL,
// no $ start), at most maxReplyTo bytes, and outside prefix/, where visiond would read its
// own answer as a frame or overwrite its status.
func replyTopic(prefix, topic string) error {
	switch {
	case len(topic) > maxReplyTo:
		return fmt.Errorf("%d bytes, limit %d", len(topic), maxReplyTo)
	case topic == "" || strings.ContainsAny(topic, "+#\x00") || strings.HasPrefix(topic, "$"):
		return fmt.Errorf("%q is not a topic one can publish to", topic)
	case topic == prefix || strings.HasPrefix(topic, prefix+"/"):
		return fmt.Errorf("%q is in visiond's own topics (%s/...); answer to a topic of your own", topic, prefix)
	}
	return nil
}
