package httpapi

import (
	"errors"
	"fmt"
	"sync"

	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/imagedata"
)

// Bounds of a JSON body. The image member may be as long as the body; everything else is small.
const (
	// maxJSONDepth is how deeply values may nest inside the body's object.
	maxJSONDepth = 8
	// maxJSONValues is how many values (members, list items) the whole body may hold.
	maxJSONValues = 1024
	// maxJSONField is the longest value of a member other than the image, in bytes.
	maxJSONField = 16 << 10
)

// knownFields are the members a JSON body's options may use: every task option, the request's
// own fields and the DeepStack ones. Other members are skipped unread.
var knownFields = sync.OnceValue(func() map[string]bool {
	known := map[string]bool{"model": true, "annotate": true, "format": true, "api_key": true, "min_confidence": true}
	for _, t := range pipeline.Tasks() {
		for _, o := range t.Options {
			known[o.Name] = true
		}
	}
	return known
})

// parseJSON reads a JSON object body in one pass, in place: the image member's base64 is
// decoded straight from the body, known members become fields, and unknown members are
// skipped without being decoded. Nesting, value count and field length are bounded.
func parseJSON(body []byte) (input, error) {
	in, err := scanJSON(&jsonScanner{b: body})
	if err != nil {
		return input{}, fmt.Errorf("%w: %v", pipeline.ErrBadRequest, err)
	}
	if in.image == nil {
		return input{}, fmt.Errorf(`%w: the JSON body has no "image" member: %s`, pipeline.ErrBadRequest, howToSend)
	}
	return in, nil
}

func scanJSON(s *jsonScanner) (input, error) {
	in := input{fields: map[string]string{}}
	if !s.eat('{') {
		return in, s.errorf("malformed JSON body: want an object")
	}
	if s.eat('}') {
		return in, s.end()
	}
	for {
		key, err := s.key()
		if err != nil {
			return in, err
		}
		start := s.skipSpace()
		switch {
		case key == "image" && in.image != nil:
			return in, errors.New(`more than one "image" member`)
		case key == "image":
			raw, err := s.str()
			if err != nil {
				return in, fmt.Errorf(`"image" must be a string of base64 or a data: URI (%v)`, err)
			}
			if in.image, err = imagedata.DecodeJSON(raw); err != nil {
				return in, err
			}
		default:
			if err := s.skip(1); err != nil {
				return in, err
			}
			if !knownFields()[key] {
				break
			}
			if s.i-start > maxJSONField {
				return in, fmt.Errorf("%s: longer than %d bytes", key, maxJSONField)
			}
			v, ok, err := jsonField(s.b[start:s.i])
			if err != nil {
				return in, fmt.Errorf("%s: %v", key, err)
			}
			if ok {
				in.fields[key] = v
			}
		}
		switch {
		case s.eat(','):
		case s.eat('}'):
			return in, s.end()
		default:
			return in, s.errorf("malformed JSON body: want , or } after a member")
		}
	}
}

// jsonScanner walks JSON text without decoding it, counting the values it passes.
type jsonScanner struct {
	b      []byte
	i      int
	values int
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf(format+" at byte %d", append(args, s.i)...)
}

// skipSpace moves past blanks and returns the position reached.
func (s *jsonScanner) skipSpace() int {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n') {
		s.i++
	}
	return s.i
}

// eat moves past c (and the blanks before it) when it comes next.
func (s *jsonScanner) eat(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end checks that nothing but blanks follows the object.
func (s *jsonScanner) end() error {
	if s.skipSpace() != len(s.b) {
		return s.errorf("malformed JSON body: data after the object")
	}
	return nil
}

// count notes one more value and refuses a body with too many.
func (s *jsonScanner) count() error {
	s.values++
	if s.values > maxJSONValues {
		return s.errorf("the JSON body holds more than %d values", maxJSONValues)
	}
	return nil
}

// key reads a member's name and the colon after it. Names are short: a long one is no option.
func (s *jsonScanner) key() (string, error) {
	if err := s.count(); err != nil {
		return "", err
	}
	s.skipSpace()
	raw, err := s.str()
	if err != nil {
		return "", err
	}
	if !s.eat(':') {
		return "", s.errorf("malformed JSON body: want : after a member's name")
	}
	return string(raw), nil // escaped names match no known field, as intended
}

// str reads a string and returns its text between the quotes, escapes as written.
func (s *jsonScanner) str() ([]byte, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, s.errorf("malformed JSON body: want a string")
	}
	start := s.i + 1
	for s.i = start; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], nil
		case c == '\\':
			s.i++ // the escaped byte; \u's hex digits are plain bytes
		case c < 0x20:
			return nil, s.errorf("malformed JSON body: control character in a string")
		}
	}
	return nil, s.errorf("malformed JSON body: unterminated string")
}

// skip moves past one value at nesting depth, which may not pass maxJSONDepth.
func (s *jsonScanner) skip(depth int) error {
	if depth > maxJSONDepth {
		return s.errorf("the JSON body nests deeper than %d levels", maxJSONDepth)
	}
	if err := s.count(); err != nil {
		return err
	}
	s.skipSpace()
	if s.i >= len(s.b) {
		return s.errorf("malformed JSON body: want a value")
	}
	switch s.b[s.i] {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.container('}', func() error {
			if _, err := s.key(); err != nil {
				return err
			}
			return s.skip(depth + 1)
		})
	case '[':
		return s.container(']', func() error { return s.skip(depth + 1) })
	}
	start := s.i
	for s.i < len(s.b) && (isAlnum(s.b[s.i]) || s.b[s.i] == '-' || s.b[s.i] == '+' || s.b[s.i] == '.') {
		s.i++
	}
	if s.i == start {
		return s.errorf("malformed JSON body: want a value")
	}
	return nil // a number or literal; a known field's value is checked when it is read
}

// container moves past an object or array whose opening byte is next, reading each element
// with elem until the closing byte.
func (s *jsonScanner) container(closing byte, elem func() error) error {
	s.i++
	if s.eat(closing) {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch {
		case s.eat(','):
		case s.eat(closing):
			return nil
		default:
			return s.errorf("malformed JSON body: want , or %c", closing)
		}
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
