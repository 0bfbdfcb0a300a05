package annotate

import (
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"
)

// bg is the colour of the synthetic test images: a grey that no drawing uses.
var bg = color.RGBA{40, 40, 40, 255}

func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// count returns how many pixels of r have colour c.
func count(img *image.RGBA, r image.Rectangle, c color.RGBA) int {
	n := 0
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

// expectColor fails unless the pixel at (x, y) is c.
func expectColor(t *testing.T, img *image.RGBA, x, y int, c color.RGBA, what string) {
	t.Helper()
	if got := img.RGBAAt(x, y); got != c {
		t.Errorf("%s: pixel (%d,%d) = %v, want %v", what, x, y, got, c)
	}
}

// keep writes img as PNG into the folder named by VISIOND_ANNOTATE_OUT, when set, so that
// a person can look at what the tests draw.
func keep(t *testing.T, name string, img image.Image) {
	t.Helper()
	dir := os.Getenv("VISIOND_ANNOTATE_OUT")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Encode(f, img, PNG, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
