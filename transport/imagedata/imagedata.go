// Package imagedata decodes an image sent inline as text, as the HTTP API's JSON bodies and the
// MQTT envelopes carry it: base64, bare or inside a data: URI. Both transports use it, so a
// client can send the same string to either.
package imagedata

import (
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
func Decode(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if rest, ok := cutPrefixFold(s, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(strings.ToLower(meta), ";base64") {
			return nil, ErrDataURI
		}
		s = data
	} else if strings.Contains(s[:min(len(s), schemeSpan)], "://") {
		return nil, ErrURL
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-':
			return '+'
		case '_':
			return '/'
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	img, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBase64, err)
	}
	if len(img) == 0 {
		return nil, ErrEmpty
	}
	return img, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
