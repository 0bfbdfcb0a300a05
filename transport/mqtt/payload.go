package mqtt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/visiond/visiond/models/preprocess"
)

// ErrBadPayload: a message is neither image bytes nor a valid JSON envelope.
var ErrBadPayload = errors.New("bad payload")

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
// byte is '{' (no image format starts so). Messages over max bytes are refused unread.
func parsePayload(b []byte, max int64) (payload, error) {
	if int64(len(b)) > max {
		return payload{}, fmt.Errorf("%w: payload of %d bytes, the limit is %d", preprocess.ErrTooLarge, len(b), max)
	}
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) == 0 {
		return payload{}, fmt.Errorf("%w: empty message", ErrBadPayload)
	}
	if trimmed[0] != '{' {
		return payload{image: b}, nil
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return payload{}, fmt.Errorf("%w: JSON envelope: %v", ErrBadPayload, err)
	}
	// The fields read so far are returned with an error, so the error can reach reply_to.
	var p payload
	if env.ReplyTo != "" && !publishable(env.ReplyTo) {
		return p, fmt.Errorf("%w: reply_to %q is not a topic one can publish to", ErrBadPayload, env.ReplyTo)
	}
	p.replyTo = env.ReplyTo
	if !scalarID(env.ID) {
		return p, fmt.Errorf("%w: id must be a string or a number, got %s", ErrBadPayload, env.ID)
	}
	if string(env.ID) != "null" {
		p.id = env.ID
	}
	p.model = env.Model
	img, err := decodeImage(env.Image)
	p.image = img
	return p, err
}

// scalarID accepts an absent or null id, a string or a number.
func scalarID(id json.RawMessage) bool {
	return len(id) == 0 || string(id) == "null" || id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9')
}

// decodeImage decodes the envelope's base64 image, with or without a data: URL head.
func decodeImage(s string) ([]byte, error) {
	if strings.HasPrefix(s, "data:") {
		_, data, ok := strings.Cut(s, ";base64,")
		if !ok {
			return nil, fmt.Errorf("%w: image data URL is not base64", ErrBadPayload)
		}
		s = data
	}
	if s == "" {
		return nil, fmt.Errorf("%w: JSON envelope without an image", ErrBadPayload)
	}
	img, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: image is not base64: %v", ErrBadPayload, err)
	}
	return img, nil
}

// publishable says whether a topic name can be published to: not empty, no wildcards, no $.
func publishable(topic string) bool {
	return topic != "" && !strings.ContainsAny(topic, "+#\x00") && !strings.HasPrefix(topic, "$")
}
