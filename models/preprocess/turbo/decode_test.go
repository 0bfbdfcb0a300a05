//go:build cgo

package turbo

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"sync"
	"testing"
)

const testMaxPixels = 40_000_000

func TestDecodeScaledFullSizeMatchesStdlib(t *testing.T) {
	for _, name := range []string{"airplane_airport_1280.jpg", "parrot.jpg", "cat_720p.jpg"} {
		t.Run(name, func(t *testing.T) {
			data := photo(t, name)
			want, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			b := want.Bounds()
			// Asking for more than the photo's size leaves only 1/1.
			got, size, err := DecodeScaled(data, b.Dx()+1, b.Dy()+1, testMaxPixels, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rect != b || size != b.Max {
				t.Errorf("decoded %v, original %v; want both %v", got.Rect, size, b)
			}
			if d := meanAbsDiff(t, got, want); d >= 3 {
				t.Errorf("mean absolute difference from image/jpeg = %.2f per channel, want < 3", d)
			} else {
				t.Logf("mean absolute difference from image/jpeg: %.2f per channel", d)
			}
			for i := 3; i < len(got.Pix); i += 4 {
				if got.Pix[i] != 0xff {
					t.Fatalf("pixel %d has alpha %d, want opaque", i/4, got.Pix[i])
				}
			}
		})
	}
}

func TestDecodeScaledQuarter(t *testing.T) {
	data := photo(t, "airplane_airport_1280.jpg")
	img, size, err := DecodeScaled(data, 300, 300, testMaxPixels, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := img.Rect.Dx(), img.Rect.Dy(); w != 320 || h != 320 || img.Rect.Min.X != 0 || img.Rect.Min.Y != 0 {
		t.Errorf("bounds = %v, want (0,0)-(320,320)", img.Rect)
	}
	if size != image.Pt(1280, 1280) {
		t.Errorf("original size = %v, want 1280x1280", size)
	}
	// The scaled decode is the full decode averaged over 4×4 blocks, give or take rounding.
	full, _, err := DecodeScaled(data, 1280, 1280, testMaxPixels, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := meanAbsDiff(t, img, boxDown(full, 4)); d >= 3 {
		t.Errorf("mean absolute difference from a 4×4 box average = %.2f, want < 3", d)
	}
}

func TestHeader(t *testing.T) {
	w, h, err := Header(photo(t, "airplane_airport_1280.jpg"))
	if err != nil || w != 1280 || h != 1280 {
		t.Errorf("Header = %d, %d, %v; want 1280, 1280, nil", w, h, err)
	}
	w, h, err = Header(encode(t, gradient(64, 48)))
	if err != nil || w != 64 || h != 48 {
		t.Errorf("Header = %d, %d, %v; want 64, 48, nil", w, h, err)
	}
}

func TestDecodeScaledPixelLimit(t *testing.T) {
	data := encode(t, gradient(64, 48))
	for _, limit := range []int64{64*48 - 1, 0, -1} {
		if _, _, err := DecodeScaled(data, 1, 1, limit, nil); !errors.Is(err, ErrTooLarge) {
			t.Errorf("limit %d: err = %v, want ErrTooLarge", limit, err)
		}
	}
	if _, _, err := DecodeScaled(data, 1, 1, 64*48, nil); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestDecodeScaledBadInput(t *testing.T) {
	good := encode(t, gradient(64, 48))
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// A point inside the entropy-coded data, past the start-of-scan header.
	mid := (bytes.LastIndex(good, []byte{0xff, 0xda}) + len(good)) / 2
	// A restart marker where the file declares no restart interval.
	corrupt := append(append(bytes.Clone(good[:mid]), 0xff, 0xd3), good[mid:]...)
	overwritten := bytes.Clone(good)
	for i := mid; i < len(overwritten)-2; i++ {
		overwritten[i] = 0xff
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"random bytes", random},
		{"JPEG magic then random", append([]byte{0xff, 0xd8, 0xff}, random...)},
		{"header only", good[:200]},
		{"truncated in the scan", good[:len(good)*2/3]},
		{"truncated before EOI", good[:len(good)-2]},
		{"stray marker in the scan", corrupt},
		{"scan overwritten", overwritten},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, _, err := DecodeScaled(tc.data, 1, 1, testMaxPixels, nil)
			if !errors.Is(err, ErrBadJPEG) || img != nil {
				t.Fatalf("DecodeScaled = %v, %v; want nil, ErrBadJPEG", img != nil, err)
			}
			t.Log(err)
		})
	}
	if _, _, err := Header(nil); !errors.Is(err, ErrBadJPEG) {
		t.Errorf("Header(nil): err = %v, want ErrBadJPEG", err)
	}
	if _, _, err := Header(random); !errors.Is(err, ErrBadJPEG) {
		t.Errorf("Header(random): err = %v, want ErrBadJPEG", err)
	}
}

func TestDecodeScaledConcurrent(t *testing.T) {
	data := photo(t, "airplane_airport_1280.jpg")
	want, _, err := DecodeScaled(data, 300, 300, testMaxPixels, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := data[:len(data)/2]
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 4 {
				got, _, err := DecodeScaled(data, 300, 300, testMaxPixels, nil)
				if err != nil || !bytes.Equal(got.Pix, want.Pix) {
					t.Errorf("goroutine %d: decode differs (err %v)", i, err)
					return
				}
				if _, _, err := DecodeScaled(bad, 300, 300, testMaxPixels, nil); err == nil {
					t.Errorf("goroutine %d: truncated photo decoded", i)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDecodeScaledReusesPixels(t *testing.T) {
	data := photo(t, "airplane_airport_1280.jpg")
	want, _, err := DecodeScaled(data, 300, 300, testMaxPixels, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A used buffer, large enough and full of another picture's bytes.
	used := bytes.Repeat([]byte{0x5a}, len(want.Pix)+100)
	got, _, err := DecodeScaled(data, 300, 300, testMaxPixels, used)
	if err != nil {
		t.Fatal(err)
	}
	if &got.Pix[0] != &used[0] {
		t.Error("the pixels did not go into the given buffer")
	}
	if !bytes.Equal(got.Pix, want.Pix) || got.Rect != want.Rect || got.Stride != want.Stride {
		t.Error("decoding into a used buffer gives another image")
	}
	small := make([]byte, len(want.Pix)-1)
	got, _, err = DecodeScaled(data, 300, 300, testMaxPixels, small)
	if err != nil {
		t.Fatal(err)
	}
	if &got.Pix[0] == &small[0] || !bytes.Equal(got.Pix, want.Pix) {
		t.Error("a buffer too small was used, or the image differs")
	}
}
