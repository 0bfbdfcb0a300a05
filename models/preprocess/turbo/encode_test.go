//go:build cgo

package turbo

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"sync"
	"testing"
)

func TestEncodeRoundTrip(t *testing.T) {
	data := photo(t, "airplane_airport_1280.jpg")
	src, _, err := DecodeScaled(data, 1280, 1280, testMaxPixels, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode([]byte("prefix"), src, 85)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("prefix\xff\xd8")) {
		t.Fatalf("output starts %q, want the prefix then a JPEG", out[:min(len(out), 10)])
	}
	got, err := jpeg.Decode(bytes.NewReader(out[len("prefix"):]))
	if err != nil {
		t.Fatal(err)
	}
	if ycc, ok := got.(*image.YCbCr); !ok || ycc.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Errorf("decoded %T, want 4:2:0 YCbCr", got)
	}
	// Quality 85 keeps the photo within a few levels per channel on average, as image/jpeg's
	// encoder at the same quality does.
	var std bytes.Buffer
	if err := jpeg.Encode(&std, src, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	stdLen := std.Len()
	stdImg, err := jpeg.Decode(&std)
	if err != nil {
		t.Fatal(err)
	}
	d, dStd := meanAbsDiff(t, src, got), meanAbsDiff(t, src, stdImg)
	t.Logf("mean absolute difference from the source: %.2f (image/jpeg: %.2f); %d bytes (image/jpeg: %d)",
		d, dStd, len(out)-len("prefix"), stdLen)
	if d > 3 || d > dStd*1.25 {
		t.Errorf("mean absolute difference %.2f, want ≤ 3 and close to image/jpeg's %.2f", d, dStd)
	}
}

func TestEncodeSubImage(t *testing.T) {
	full := gradient(64, 48)
	sub := full.SubImage(image.Rect(8, 8, 40, 32)).(*image.RGBA)
	out, err := Encode(nil, sub, 95)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != image.Rect(0, 0, 32, 24) {
		t.Fatalf("bounds %v, want 32x24", got.Bounds())
	}
	want := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		copy(want.Pix[want.PixOffset(0, y):], sub.Pix[sub.PixOffset(8, 8+y):][:4*32])
	}
	if d := meanAbsDiff(t, want, got); d > 3 {
		t.Errorf("mean absolute difference %.2f from the sub-image, want ≤ 3", d)
	}
}

func TestEncodeBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		img     *image.RGBA
		quality int
	}{
		{"quality 0", gradient(8, 8), 0},
		{"quality 101", gradient(8, 8), 101},
		{"empty", image.NewRGBA(image.Rectangle{}), 85},
		{"too large", &image.RGBA{Rect: image.Rect(0, 0, 10_000, 5_000), Stride: 40_000}, 85},
	} {
		if out, err := Encode(nil, tc.img, tc.quality); !errors.Is(err, ErrEncode) || out != nil {
			t.Errorf("%s: Encode = %d bytes, %v; want ErrEncode", tc.name, len(out), err)
		}
	}
}

func TestEncodeConcurrent(t *testing.T) {
	small, big := gradient(33, 17), gradient(640, 480)
	wantSmall, err := Encode(nil, small, 85)
	if err != nil {
		t.Fatal(err)
	}
	wantBig, err := Encode(nil, big, 85)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 4 {
				// Alternating sizes makes pooled buffers too small for the next image.
				a, errA := Encode(nil, small, 85)
				b, errB := Encode(nil, big, 85)
				if errA != nil || errB != nil || !bytes.Equal(a, wantSmall) || !bytes.Equal(b, wantBig) {
					t.Errorf("goroutine %d: output differs (%v, %v)", i, errA, errB)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Run with: go test ./models/preprocess/turbo -run '^$' -bench Encode
// libjpeg-turbo and image/jpeg encode the 1280×1280 photo at quality 85, alternating.
func BenchmarkEncode(b *testing.B) {
	src, _, err := DecodeScaled(photo(b, "airplane_airport_1280.jpg"), 1280, 1280, testMaxPixels, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("turbo", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			if buf, err = Encode(buf[:0], src, 85); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image-jpeg", func(b *testing.B) {
		for b.Loop() {
			if err := jpeg.Encode(io.Discard, src, &jpeg.Options{Quality: 85}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
