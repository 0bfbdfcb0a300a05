package preprocess

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// TestDecodeAtLeastPhoto: the 1280×1280 photo for a 300×300 model comes out at a quarter of
// its size, and the tensor made from it matches the one made from the full decode, with the
// same transform to the original's pixels.
func TestDecodeAtLeastPhoto(t *testing.T) {
	data, err := os.ReadFile(testenv.Image(t, "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, info, err := DecodeAtLeast(data, Limits{}, 300, 300)
	if err != nil {
		t.Fatal(err)
	}
	red, ok := img.(*Reduced)
	if !ok || red.Bounds() != image.Rect(0, 0, 320, 320) || red.Width != 1280 || red.Height != 1280 {
		t.Fatalf("got %T with bounds %v, want a 320×320 *Reduced standing for 1280×1280", img, img.Bounds())
	}
	if info != (Info{Format: JPEG, Width: 1280, Height: 1280, Orientation: 1}) {
		t.Errorf("info %+v", info)
	}
	full, _, err := Decode(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	l := Layout{Width: 300, Height: 300}
	a, b := make([]uint8, 300*300*3), make([]uint8, 300*300*3)
	ta, err := ToUint8(img, l, a)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := ToUint8(full, l, b)
	if ta != tb {
		t.Errorf("transform of the reduced image %+v, of the full one %+v", ta, tb)
	}
	// The full-size resize samples single pixels (no antialiasing) while the reduced decode
	// averages 4×4 blocks, so single pixels differ on fine detail; on average they agree.
	var sum float64
	for i := range a {
		sum += math.Abs(float64(a[i]) - float64(b[i]))
	}
	if mean := sum / float64(len(a)); mean > 8 {
		t.Errorf("tensors differ by %.2f levels on average, want ≤ 8", mean)
	} else {
		t.Logf("tensors differ by %.2f levels on average", mean)
	}
}

// TestDecodeAtLeastOrientation: a portrait turned by EXIF keeps at least the asked pixels in
// each displayed direction, and its pixels are the full decode's, scaled.
func TestDecodeAtLeastOrientation(t *testing.T) {
	data, err := os.ReadFile(testenv.Image(t, "parrot.jpg")) // 512×929 as stored
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []uint16{1, 3, 6, 8} {
		jpg := withSegment(data, exifSegment(o, binary.BigEndian))
		img, info, err := DecodeAtLeast(jpg, Limits{}, 200, 100)
		if err != nil {
			t.Fatal(err)
		}
		w, h := 512, 929
		if o >= 5 {
			w, h = h, w
		}
		red, ok := img.(*Reduced)
		if !ok || info.Width != w || info.Height != h || red.Width != w || red.Height != h {
			t.Fatalf("orientation %d: %T, info %+v; want a *Reduced standing for %dx%d", o, img, info, w, h)
		}
		b := red.Bounds()
		if b.Dx() < 200 || b.Dy() < 100 || b.Dx() >= w || b.Dy() >= h {
			t.Fatalf("orientation %d: decoded %v, want at least 200×100 and less than %dx%d", o, b, w, h)
		}
		full, _, err := Decode(jpg, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		sx, sy := float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy())
		for _, p := range []image.Point{{b.Dx() / 4, b.Dy() / 4}, {3 * b.Dx() / 4, b.Dy() / 2}, {b.Dx() / 2, 3 * b.Dy() / 4}} {
			got := mean8(red.Image, image.Rect(p.X-1, p.Y-1, p.X+2, p.Y+2))
			want := mean8(full, image.Rect(int(float64(p.X-1)*sx), int(float64(p.Y-1)*sy), int(float64(p.X+2)*sx), int(float64(p.Y+2)*sy)))
			if !near(got, want, 24) {
				t.Errorf("orientation %d: reduced pixel %v is %v, full decode there %v", o, p, got, want)
			}
		}
	}
}

// mean8 is the mean 8-bit RGB colour of img over r.
func mean8(img image.Image, r image.Rectangle) [3]int {
	var s [3]int
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := rgb8(img, x, y)
			s[0], s[1], s[2] = s[0]+c[0], s[1]+c[1], s[2]+c[2]
			n++
		}
	}
	return [3]int{s[0] / n, s[1] / n, s[2] / n}
}

// TestDecodeAtLeastFullSize: images no larger than asked, non-JPEGs, and JPEGs libjpeg-turbo
// refuses (CMYK) come out at full size, not as *Reduced.
func TestDecodeAtLeastFullSize(t *testing.T) {
	small := encodeJPEG(t, quadrants(64, 48, [4]color.Color{color.White, color.Black, color.White, color.Black}))
	cases := []struct {
		name string
		data []byte
		min  int // pixels asked for in each direction
		w, h int
	}{
		{"smaller than asked", small, 300, 64, 48},
		{"png", encodePNG(t, quadrants(640, 480, [4]color.Color{color.White, color.Black, color.White, color.Black})), 8, 640, 480},
		{"cmyk", fixture(t, "cmyk.jpg"), 8, 16, 16},
	}
	for _, c := range cases {
		img, info, err := DecodeAtLeast(c.data, Limits{}, c.min, c.min)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, reduced := img.(*Reduced); reduced || img.Bounds() != image.Rect(0, 0, c.w, c.h) || info.Width != c.w || info.Height != c.h {
			t.Errorf("%s: %T %v, info %+v; want the full %dx%d", c.name, img, img.Bounds(), info, c.w, c.h)
		}
	}
}

func TestSourceSize(t *testing.T) {
	full := image.NewRGBA(image.Rect(0, 0, 40, 30))
	if w, h := SourceSize(full); w != 40 || h != 30 {
		t.Errorf("SourceSize(40×30 RGBA) = %d, %d", w, h)
	}
	if w, h := SourceSize(&Reduced{Image: full, Width: 320, Height: 240}); w != 320 || h != 240 {
		t.Errorf("SourceSize(Reduced standing for 320×240) = %d, %d", w, h)
	}
}
