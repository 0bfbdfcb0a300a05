package annotate

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/visiond/visiond/models/results"
)

func TestClassificationsCaptionBlock(t *testing.T) {
	light := color.RGBA{200, 200, 200, 255}
	cls := []results.Classification{
		{ClassName: "tabby, tabby cat", Probability: 0.71},
		{ClassName: "tiger cat", Probability: 0.18},
		{ClassName: "Egyptian cat", Probability: 0.05},
	}
	img := Classifications(solid(320, 240, light), cls, Options{})
	keep(t, "classifications", img)
	// The block is translucent black: the light background turns dark under it, and its
	// white text shows, while the bottom right corner stays untouched.
	corner := img.RGBAAt(3, 3)
	if corner.R >= 100 || corner.R != corner.G || corner.G != corner.B {
		t.Errorf("block corner %v, want a dark grey", corner)
	}
	if n := count(img, image.Rect(0, 0, 160, 80), white); n < 50 {
		t.Errorf("%d white text pixels in the block, want many", n)
	}
	if n := count(img, image.Rect(200, 120, 320, 240), light); n != 120*120 {
		t.Errorf("%d pixels changed outside the block", 120*120-n)
	}
}

func TestClassificationsFitTheImage(t *testing.T) {
	long := []results.Classification{{ClassName: strings.Repeat("very long class name ", 20), Probability: 1}}
	for _, size := range []image.Point{{64, 48}, {16, 16}, {1, 1}} {
		img := Classifications(solid(size.X, size.Y, bg), long, Options{})
		if img.Rect.Size() != size {
			t.Errorf("output is %v, want %v", img.Rect.Size(), size)
		}
	}
	if img := Classifications(solid(64, 48, bg), nil, Options{}); count(img, img.Rect, bg) != 64*48 {
		t.Error("no classes must draw nothing")
	}
}
