package annotate

import (
	"bytes"
	"image"
	"testing"

	"github.com/visiond/visiond/models/results"
)

func TestInPlaceDrawsTheSamePixelsOnTheInput(t *testing.T) {
	dets := []results.Detection{{BBox: [4]float64{20, 30, 80, 50}, Class: "dog", Score: 0.9}}
	poses := []results.Pose{person()}
	draws := map[string]func(image.Image, Options) *image.RGBA{
		"detections": func(img image.Image, o Options) *image.RGBA { return Detections(img, dets, o) },
		"poses":      func(img image.Image, o Options) *image.RGBA { return Poses(img, poses, o) },
	}
	for name, draw := range draws {
		src := solid(160, 120, bg)
		copied := draw(src, Options{})
		if !bytes.Equal(src.Pix, solid(160, 120, bg).Pix) {
			t.Fatalf("%s: drawing without InPlace changed the input", name)
		}
		got := draw(src, Options{InPlace: true})
		if got != src {
			t.Errorf("%s: InPlace returned another image than its input", name)
		}
		if !bytes.Equal(got.Pix, copied.Pix) {
			t.Errorf("%s: drawn in place, the pixels differ from the copy's", name)
		}
	}
	// An image whose bounds do not start at (0, 0) is copied, as are other image types.
	sub := solid(160, 120, bg).SubImage(image.Rect(10, 10, 150, 110)).(*image.RGBA)
	if got := Detections(sub, dets, Options{InPlace: true}); got == sub || got.Rect != image.Rect(0, 0, 140, 100) {
		t.Errorf("sub-image drawn in place, or on %v; want a copy at (0,0)-(140,100)", got.Rect)
	}
	gray := image.NewGray(image.Rect(0, 0, 40, 30))
	if got := Detections(gray, dets, Options{InPlace: true}); got.Rect != gray.Rect {
		t.Errorf("gray input: canvas %v, want %v", got.Rect, gray.Rect)
	}
}
