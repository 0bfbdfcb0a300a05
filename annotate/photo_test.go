package annotate

import (
	"image"
	"image/draw"
	_ "image/jpeg"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/models/results"
)

// decodeFile reads an image file.
func decodeFile(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// airplanes are boxes placed by hand on the two airliners of airplane_airport_1280.jpg: one
// taxiing behind, one at the gate in front whose right wing runs off the image.
var airplanes = []results.Detection{
	{BBox: [4]float64{377, 436, 531, 185}, Class: "airplane", Score: 0.94},
	{BBox: [4]float64{369, 504, 930, 469}, Class: "airplane", Score: 0.88},
}

func TestDetectionsOnPhoto(t *testing.T) {
	photo := decodeFile(t, testenv.Image(t, "airplane_airport_1280.jpg"))
	img := Detections(photo, airplanes, Options{})
	keep(t, "photo_airplanes", img)
	if img.Rect != image.Rect(0, 0, 1280, 1280) {
		t.Fatalf("output is %v, want the photo's 1280×1280", img.Rect)
	}
	col := classColor("airplane")
	expectColor(t, img, 377, 530, col, "back airplane's left edge")
	expectColor(t, img, 369, 900, col, "front airplane's left edge")
	expectColor(t, img, 800, 973, col, "front airplane's bottom edge")
	// The photo shows through inside the boxes.
	plain := image.NewRGBA(photo.Bounds())
	draw.Draw(plain, plain.Rect, photo, image.Point{}, draw.Src)
	inside := image.Rect(400, 630, 1270, 960) // below the back box
	for y := inside.Min.Y; y < inside.Max.Y; y++ {
		for x := inside.Min.X; x < inside.Max.X; x++ {
			if img.RGBAAt(x, y) != plain.RGBAAt(x, y) {
				t.Fatalf("pixel (%d,%d) inside the front box changed", x, y)
			}
		}
	}
}
