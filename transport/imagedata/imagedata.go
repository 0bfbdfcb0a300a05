// Package imagedata decodes an image sent inline as text, as the HTTP API's JSON bodies and the
// MQTT envelopes carry it: base64, bare or inside a data: URI. Both transports use it, so a
// client can send the same string to either.
package imagedata

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Errors of Decode; its messages call the text "image", as both transports name the field.
var (
	ErrEmpty     = errors.New(`"image" is empty`)
	ErrURL       = errors.New(`"image" is a URL; visiond never fetches URLs: send the image's bytes in base64`)
	ErrDataURI   = errors.New(`"image" data: URI must be base64, as in data:image/jpeg;base64,...`)
	ErrNotBase64 = errors.New(`"image" is not valid base64`)
)

// schemeSpan is how near the start a "://" makes the text a URL (http://, rtsp://...), which
// gets its own error rather than "not valid base64".
const schemeSpan = 16

// Decode returns the bytes s encodes: base64 in the standard or the URL-safe alphabet, padded
// or not, with line breaks and spaces allowed, bare or inside a data: URI. URLs are refused:
// visiond never fetches anything on a client's behalf.
func Decode(s string) ([]byte, error) { return decode([]byte(s), false) }

// DecodeJSON is Decode for the text of a JSON string as it stands between its quotes, escapes
// and all: the escapes \n, \r and \t count as the blanks they stand for and \/ as '/'; any
// other escape cannot be base64. The text is read in place, so that the only copy made is
// the decoded image.
func DecodeJSON(raw []byte) ([]byte, error) { return decode(raw, true) }

// chunk is how much filtered base64 text decode gathers before decoding it.
const chunk = 4 << 10

// decode is Decode, reading JSON escapes when escapes is set. It filters the text through a
// small buffer straight into the result, which is allocated once.
func decode(text []byte, escapes bool) ([]byte, error) {
	text = bytes.TrimSpace(text)
	if rest, ok := cutPrefixFold(text, "data:"); ok {
		meta, data, found := bytes.Cut(rest, []byte(","))
		if !found || !bytes.HasSuffix(bytes.ToLower(meta), []byte(";base64")) {
			return nil, ErrDataURI
		}
		text = data
	} else if bytes.Contains(text[:min(len(text), schemeSpan)], []byte("://")) {
		return nil, ErrURL
	}
	out := make([]byte, 0, base64.RawStdEncoding.DecodedLen(len(text)))
	var buf [chunk]byte
	n, padded := 0, false
	flush := func(final bool) error {
		k := n
		if !final {
			k -= n % 4
		}
		m, err := base64.RawStdEncoding.Decode(out[len(out):cap(out)], buf[:k])
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotBase64, err)
		}
		out = out[:len(out)+m]
		n = copy(buf[:], buf[k:n])
		return nil
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if escapes && c == '\\' && i+1 < len(text) {
			i++
			switch text[i] {
			case 'n', 'r', 't':
				continue
			case '/':
				c = '/'
			default:
				return nil, fmt.Errorf("%w: the escape \\%c", ErrNotBase64, text[i])
			}
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '=':
			padded = true
			continue
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		if padded {
			return nil, fmt.Errorf("%w: data after the padding", ErrNotBase64)
		}
		buf[n] = c
		n++
		if n == len(buf) {
			if err := flush(false); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

func cutPrefixFold(s []byte, prefix string) ([]byte, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(string(s[:len(prefix)]), prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
