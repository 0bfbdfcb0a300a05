package mqtt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

func TestParsePayload(t *testing.T) {
	jpg := []byte("\xff\xd8\xff\xe0 not really a jpeg")
	b64 := base64.StdEncoding.EncodeToString(jpg)
	cases := []struct {
		name    string
		in      string
		want    payload
		wantErr error
	}{
		{"raw bytes", string(jpg), payload{image: jpg}, nil},
		{"envelope", `{"image":"` + b64 + `","id":"cam1-7","reply_to":"me/answers","model":"mobilenet"}`,
			payload{image: jpg, id: []byte(`"cam1-7"`), replyTo: "me/answers", model: "mobilenet"}, nil},
		{"numeric id and blank first", " \n{\"image\":\"" + b64 + `","id":42}`, payload{image: jpg, id: []byte(`42`)}, nil},
		{"null id", `{"image":"` + b64 + `","id":null}`, payload{image: jpg}, nil},
		{"data URL", `{"image":"data:image/jpeg;base64,` + b64 + `"}`, payload{image: jpg}, nil},
		{"URL-safe unpadded, as the HTTP API takes it", `{"image":"` + base64.RawURLEncoding.EncodeToString(jpg) + `"}`, payload{image: jpg}, nil},
		{"unknown fields are ignored", `{"image":"` + b64 + `","camera_time":"12:00"}`, payload{image: jpg}, nil},
		{"empty", "", payload{}, pipeline.ErrBadRequest},
		{"blank", " \r\n", payload{}, pipeline.ErrBadRequest},
		{"broken JSON", `{"image":`, payload{}, pipeline.ErrBadRequest},
		{"no image", `{"id":"x","reply_to":"me/answers"}`, payload{replyTo: "me/answers", id: []byte(`"x"`)}, pipeline.ErrBadRequest},
		{"image not base64", `{"image":"%%%","reply_to":"me/answers"}`, payload{replyTo: "me/answers"}, pipeline.ErrBadRequest},
		{"image URL", `{"image":"http://camera.local/snapshot.jpg"}`, payload{}, pipeline.ErrBadRequest},
		{"data URL not base64", `{"image":"data:image/jpeg,abc"}`, payload{}, pipeline.ErrBadRequest},
		{"object id", `{"image":"` + b64 + `","id":{"a":1}}`, payload{}, pipeline.ErrBadRequest},
		{"wildcard reply_to", `{"image":"` + b64 + `","reply_to":"me/#"}`, payload{}, pipeline.ErrBadRequest},
		{"$ reply_to", `{"image":"` + b64 + `","reply_to":"$SYS/x"}`, payload{}, pipeline.ErrBadRequest},
		{"reply_to visiond's status", `{"image":"` + b64 + `","reply_to":"visiond/status"}`, payload{}, pipeline.ErrBadRequest},
		{"reply_to a camera's frames", `{"image":"` + b64 + `","reply_to":"visiond/porch/image"}`, payload{}, pipeline.ErrBadRequest},
		{"reply_to over 1024 bytes", `{"image":"` + b64 + `","reply_to":"` + strings.Repeat("a", 1025) + `"}`, payload{}, pipeline.ErrBadRequest},
		{"reply_to beside the prefix", `{"image":"` + b64 + `","reply_to":"visiond-answers/x"}`, payload{image: jpg, replyTo: "visiond-answers/x"}, nil},
		{"too large", string(make([]byte, 2001)), payload{}, preprocess.ErrTooLarge},
	}
	for _, c := range cases {
		got, err := parsePayload([]byte(c.in), 2000, "visiond")
		if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.wantErr)
		}
		if !samePayload(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func samePayload(a, b payload) bool {
	return bytes.Equal(a.image, b.image) && bytes.Equal(a.id, b.id) && a.replyTo == b.replyTo && a.model == b.model
}

// FuzzParsePayload feeds the payload parser arbitrary messages: it must return an image, or
// an error wrapping pipeline.ErrBadRequest or preprocess.ErrTooLarge, never panic; a raw image is
// the message itself; a reply_to it returns can be published to.
func FuzzParsePayload(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString([]byte("\xff\xd8\xff"))
	for _, s := range []string{
		"\xff\xd8\xff\xe0", "\x89PNG\r\n\x1a\n", "", "{}", `{"image":"` + b64 + `","id":"a","reply_to":"x/y","model":"coco-ssd"}`,
		`{"image":"data:image/png;base64,` + b64 + `","id":-1.5e3}`, `{"image":1}`, `{"reply_to":"#"}`, ` {"id":[1]}`,
	} {
		f.Add([]byte(s))
	}
	const max = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePayload(data, max, "visiond")
		if p.replyTo != "" && replyTopic("visiond", p.replyTo) != nil {
			t.Fatalf("reply_to %q returned", p.replyTo)
		}
		if err != nil {
			if !errors.Is(err, pipeline.ErrBadRequest) && !errors.Is(err, preprocess.ErrTooLarge) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if len(p.image) == 0 {
			t.Fatalf("no image and no error for %q", data)
		}
		if trimmed := bytes.TrimLeft(data, " \t\r\n"); trimmed[0] != '{' && !bytes.Equal(p.image, data) {
			t.Fatalf("raw message changed: %q became %q", data, p.image)
		}
	})
}
