package imagedata

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	// Bytes whose base64 uses '+' and '/' (URL-safe: '-' and '_') and needs padding.
	img := []byte{0xff, 0xd8, 0xff, 0xfb, 0xef, 0xbe, 0x00}
	std := base64.StdEncoding.EncodeToString(img)
	if !strings.ContainsAny(std, "+/=") {
		t.Fatalf("%q does not exercise the alphabets and padding", std)
	}
	for name, s := range map[string]string{
		"standard":             std,
		"unpadded":             base64.RawStdEncoding.EncodeToString(img),
		"URL-safe":             base64.URLEncoding.EncodeToString(img),
		"URL-safe unpadded":    base64.RawURLEncoding.EncodeToString(img),
		"line breaks":          std[:4] + "\r\n" + std[4:8] + "\n " + std[8:],
		"surrounding blanks":   "  " + std + "\n",
		"data URI":             "data:image/jpeg;base64," + std,
		"data URI, upper case": "DATA:image/jpeg;BASE64," + std,
	} {
		got, err := Decode(s)
		if err != nil || !bytes.Equal(got, img) {
			t.Errorf("%s %q: %x, %v; want %x", name, s, got, err, img)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct {
		name, s string
		want    error
	}{
		{"empty", "", ErrEmpty},
		{"blank", " \n", ErrEmpty},
		{"padding only", "==", ErrEmpty},
		{"http URL", "http://169.254.169.254/latest", ErrURL},
		{"rtsp URL", "rtsp://camera/stream", ErrURL},
		{"data URI not base64", "data:image/jpeg,abc", ErrDataURI},
		{"data URI without comma", "data:image/jpeg;base64", ErrDataURI},
		{"not base64", "not base64!", ErrNotBase64},
		{"mixed garbage", "%%%", ErrNotBase64},
	} {
		if got, err := Decode(c.s); !errors.Is(err, c.want) || got != nil {
			t.Errorf("%s %q: %x, %v; want %v", c.name, c.s, got, err, c.want)
		}
	}
}

// TestDecodeJSON: the text of a JSON string decodes as the string it stands for, across many
// chunks of the filter; escapes other than blanks and \/ are refused.
func TestDecodeJSON(t *testing.T) {
	img := make([]byte, 3*chunk+7) // several chunks, and a tail that needs padding
	for i := range img {
		img[i] = byte(i * 7)
	}
	std := base64.StdEncoding.EncodeToString(img)
	var lines strings.Builder
	for i := 0; i < len(std); i += 76 {
		lines.WriteString(std[i:min(i+76, len(std))] + `\r\n`)
	}
	for name, raw := range map[string]string{
		"plain":                std,
		"escaped line breaks":  lines.String(),
		"escaped slashes":      strings.ReplaceAll(std, "/", `\/`),
		"data URI, URL-safe":   "data:image/png;base64," + base64.RawURLEncoding.EncodeToString(img),
		"blanks and an escape": ` \t` + std,
	} {
		got, err := DecodeJSON([]byte(raw))
		if err != nil || !bytes.Equal(got, img) {
			t.Errorf("%s: %d bytes, %v; want the %d bytes", name, len(got), err, len(img))
		}
	}
	for name, raw := range map[string]string{
		"quote escape":       `QUJD\"`,
		"unicode escape":     `QUJD\u0041`,
		"data after padding": "QQ==QUJD",
	} {
		if got, err := DecodeJSON([]byte(raw)); !errors.Is(err, ErrNotBase64) || got != nil {
			t.Errorf("%s: %x, %v; want ErrNotBase64", name, got, err)
		}
	}
}
