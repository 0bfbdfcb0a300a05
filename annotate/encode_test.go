package annotate

import (
	"bytes"
	"errors"
	"image"
	"testing"

	"github.com/visiond/visiond/models/results"
)

func TestEncodeRoundTrip(t *testing.T) {
	img := Detections(solid(160, 120, bg), []results.Detection{{BBox: [4]float64{40, 40, 80, 60}, Class: "dog", Score: 0.9}}, Options{LineWidth: 6})
	for _, f := range []Format{JPEG, PNG} {
		var buf bytes.Buffer
		if err := Encode(&buf, img, f, 0); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, name, err := image.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: decoding: %v", f, err)
		}
		if name != string(f) || got.Bounds() != img.Rect {
			t.Fatalf("%s: decoded a %s image of %v, want %v", f, name, got.Bounds(), img.Rect)
		}
		// PNG is lossless; JPEG keeps colours close away from sharp edges.
		tol := map[Format]int{PNG: 0, JPEG: 24}[f]
		for _, p := range []image.Point{{10, 10}, {80, 70}, {41, 70}} {
			want := img.RGBAAt(p.X, p.Y)
			r, g, b, _ := got.At(p.X, p.Y).RGBA()
			if diff(r>>8, want.R) > tol || diff(g>>8, want.G) > tol || diff(b>>8, want.B) > tol {
				t.Errorf("%s: pixel %v = (%d,%d,%d), want about %v", f, p, r>>8, g>>8, b>>8, want)
			}
		}
	}
}

func diff(a uint32, b uint8) int {
	return max(int(a)-int(b), int(b)-int(a))
}

func TestEncodeErrors(t *testing.T) {
	img := solid(8, 8, bg)
	for _, tc := range []struct {
		f       Format
		quality int
		want    error
	}{
		{"gif", 0, ErrUnknownFormat},
		{"", 0, ErrUnknownFormat},
		{JPEG, 101, ErrBadQuality},
		{JPEG, -1, ErrBadQuality},
	} {
		if err := Encode(&bytes.Buffer{}, img, tc.f, tc.quality); !errors.Is(err, tc.want) {
			t.Errorf("Encode(%q, %d) = %v, want %v", tc.f, tc.quality, err, tc.want)
		}
	}
	if err := Encode(&bytes.Buffer{}, nil, PNG, 0); err == nil {
		t.Error("encoding a nil image: no error")
	}
	for _, q := range []int{1, 100} {
		if err := Encode(&bytes.Buffer{}, img, JPEG, q); err != nil {
			t.Errorf("quality %d: %v", q, err)
		}
	}
}
