package preprocess

import (
	"context"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/hostile"
	"github.com/visiond/visiond/internal/testenv"
)

// TestProgressiveBomb: a 6000×6000 progressive JPEG whose refinement scan repeats 600 times
// (about 250 KB; Go's decoder, which visiond used to fall back to, spent 30 s and more on it)
// is refused as bad_image naming the scans, within 100 ms and before any pixel is decoded; so
// is one with fewer scans that would still pass over too many pixels. A normal progressive
// file, and one with unusual but affordable scans, decode.
func TestProgressiveBomb(t *testing.T) {
	testenv.Tool(t, "jpegtran", "libjpeg-turbo-progs")
	progressive := map[int][]byte{} // by width: 6000×6000 and 1000×800
	for w, h := range map[int]int{6000: 6000, 1000: 800} {
		var err error
		if progressive[w], err = hostile.Progressive(w, h); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		w, h, scans int
		refuse      string
	}{
		{6000, 6000, 600, "600 scans, limit 64"},
		{6000, 6000, 20, "20 scans over 6000x6000 pixels"},
		{1000, 800, 10, ""},
		{1000, 800, 40, ""},
	} {
		data, err := hostile.RepeatLastScan(progressive[tc.w], tc.scans)
		if err != nil {
			t.Fatal(err)
		}
		if n, w, h := jpegScans(data); n != tc.scans || w != tc.w || h != tc.h {
			t.Fatalf("jpegScans: %d scans over %dx%d, want %d over %dx%d", n, w, h, tc.scans, tc.w, tc.h)
		}
		start := time.Now()
		img, info, err := DecodeContext(context.Background(), data, Limits{}, 300, 300)
		took := time.Since(start)
		switch {
		case tc.refuse != "" && (!errors.Is(err, ErrBadImage) || !strings.Contains(err.Error(), tc.refuse) || took > 100*time.Millisecond):
			t.Errorf("%d scans over %dx%d: %v after %v; want bad image %q within 100 ms", tc.scans, tc.w, tc.h, err, took, tc.refuse)
		case tc.refuse == "" && (err != nil || info.Width != tc.w || img.At(10, 10) == nil):
			t.Errorf("%d scans over %dx%d: %v, %+v; want it decoded", tc.scans, tc.w, tc.h, err, info)
		}
		t.Logf("%d scans over %dx%d (%d bytes): %v after %v", tc.scans, tc.w, tc.h, len(data), err, took)
	}
}

// TestDecodeStopsAtDeadline: Go's decoders read through the context, so a decode stops with
// its error when the request's deadline passes, rather than running to the end.
func TestDecodeStopsAtDeadline(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3000, 3000))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 31 >> 3)
	}
	img.Set(0, 0, color.White)
	data := encodePNG(t, img)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := DecodeContext(canceled, data, Limits{}, 300, 300); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v, want context.Canceled", err)
	}
	ctx, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer stop()
	start := time.Now()
	_, _, err := DecodeContext(ctx, data, Limits{}, 300, 300)
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > 500*time.Millisecond {
		t.Errorf("deadline of 20 ms: %v after %v; want the deadline error within 500 ms", err, took)
	}
	if _, _, err := DecodeContext(context.Background(), data, Limits{}, 300, 300); err != nil {
		t.Errorf("without a deadline: %v", err)
	}
}
