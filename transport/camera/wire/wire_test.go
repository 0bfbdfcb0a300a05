package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	at := time.Unix(1700000000, 123456789)
	pix := bytes.Repeat([]byte{1, 2, 3, 255}, 6)
	if err := Write(&buf, Frame, 3, 2, at, pix); err != nil {
		t.Fatal(err)
	}
	if err := Write(&buf, DecodeError, 0, 0, at, nil); err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := Read(&buf, &rec, 6); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != Frame || rec.Width != 3 || rec.Height != 2 || !rec.Time.Equal(at) || !bytes.Equal(rec.Pix, pix) {
		t.Errorf("frame read back as %+v", rec)
	}
	if err := Read(&buf, &rec, 6); err != nil || rec.Kind != DecodeError {
		t.Errorf("decode error note: %+v, %v", rec, err)
	}
	if err := Read(&buf, &rec, 6); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
}

func TestReadRefuses(t *testing.T) {
	frame := func(w, h int) []byte {
		var buf bytes.Buffer
		if err := Write(&buf, Frame, w, h, time.Now(), make([]byte, w*h*4)); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	bad := frame(2, 2)
	bad[0] = 'x'
	unknown := frame(2, 2)
	unknown[3] = 'Z'
	for name, data := range map[string][]byte{
		"over the pixel limit": frame(5, 5),
		"bad magic":            bad,
		"unknown kind":         unknown,
		"truncated header":     frame(2, 2)[:10],
		"truncated pixels":     frame(2, 2)[:30],
		"zero width":           frame(0, 3),
	} {
		var rec Record
		if err := Read(bytes.NewReader(data), &rec, 16); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: %v, want ErrProtocol", name, err)
		}
	}
	if err := Write(io.Discard, Frame, 2, 2, time.Now(), make([]byte, 3)); !errors.Is(err, ErrProtocol) {
		t.Errorf("writing a frame with too few pixels: %v", err)
	}
}

// FuzzRead: whatever the helper writes, Read returns records within the limit or an error.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, Frame, 2, 1, time.Unix(1, 0), make([]byte, 8))
	_ = Write(&buf, DecodeError, 0, 0, time.Unix(2, 0), nil)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		var rec Record
		for range 100 {
			if err := Read(r, &rec, 64); err != nil {
				return
			}
			if rec.Kind == Frame && (rec.Width*rec.Height > 64 || len(rec.Pix) != rec.Width*rec.Height*4) {
				t.Fatalf("frame %dx%d with %d bytes", rec.Width, rec.Height, len(rec.Pix))
			}
		}
	})
}
