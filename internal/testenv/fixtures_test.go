package testenv

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// fixtureImages makes the files of testdata/images.
func fixtureImages(t *testing.T) map[string][]byte {
	gradient := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			gradient.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255})
		}
	}
	var pngBuf, jpgBuf bytes.Buffer
	if err := png.Encode(&pngBuf, gradient); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgBuf, gradient, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"gradient-64x48.png":     pngBuf.Bytes(),
		"gradient-64x48.jpg":     jpgBuf.Bytes(),
		"truncated.jpg":          jpgBuf.Bytes()[:jpgBuf.Len()/2],
		"not-an-image.jpg":       []byte("hello, this is text, not a photo\n"),
		"header-only.tif":        []byte("II*\x00\x08\x00\x00\x00"),
		"bomb-100000x100000.png": PNGHeader(100000, 100000),
	}
}

// TestFixtureImages: testdata/images holds exactly what fixtureImages makes. Under
// VISIOND_UPDATE_FIXTURES=1 it writes them.
func TestFixtureImages(t *testing.T) {
	dir := filepath.Join(Root(t), "testdata", "images")
	for name, want := range fixtureImages(t) {
		path := filepath.Join(dir, name)
		if os.Getenv("VISIOND_UPDATE_FIXTURES") == "1" {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the test makes (%v); run VISIOND_UPDATE_FIXTURES=1 go test ./internal/testenv", name, err)
		}
	}
}

// TestManifestCatchesAnotherFile: a shared file whose checksum is not the manifest's fails
// with its name.
func TestManifestCatchesAnotherFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "burger.jpg")
	os.WriteFile(path, []byte("not the burger"), 0o644)
	if err := checkSum(path, "97c15bbbf3cf3615063b1031c85d669de55839f59262bbe145d15ca75b36ecbf"); err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Errorf("checkSum = %v, want an error naming %s", err, path)
	}
	m, err := readManifest(filepath.Join(Root(t), Manifest))
	if err != nil || m["images/burger.jpg"] != "97c15bbbf3cf3615063b1031c85d669de55839f59262bbe145d15ca75b36ecbf" {
		t.Errorf("manifest: %v, burger %q", err, m["images/burger.jpg"])
	}
}
