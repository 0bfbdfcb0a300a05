package preprocess

import (
	"image"
	"os"
	"reflect"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// TestRecycledPixelsDecodeTheSame decodes photos of different sizes in turn, full and reduced,
// handing every image back, and wants each decode to equal a decode into fresh pixels: a reused
// buffer, larger or smaller, holds another picture's bytes, and none may show through.
func TestRecycledPixelsDecodeTheSame(t *testing.T) {
	type decode struct {
		name       string
		minW, minH int
	}
	decodes := []decode{
		{"airplane_airport_1280.jpg", 300, 300}, // reduced to 320×320
		{"burger.jpg", 224, 224},                // full size, 480×325
		{"airplane_airport_1280.jpg", 1280, 1280},
		{"burger.jpg", 100, 100}, // reduced to 240×163
		{"person_squat.png", 100, 100},
	}
	fresh := map[decode]image.Image{}
	data := map[string][]byte{}
	for _, d := range decodes {
		b, err := os.ReadFile(testenv.Image(t, d.name))
		if err != nil {
			t.Fatal(err)
		}
		data[d.name] = b
		if fresh[d], _, err = DecodeAtLeast(b, Limits{}, d.minW, d.minH); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		for _, d := range decodes {
			img, _, err := DecodeAtLeast(data[d.name], Limits{}, d.minW, d.minH)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(img, fresh[d]) {
				t.Fatalf("round %d, %s at least %dx%d: differs from a decode into fresh pixels", round, d.name, d.minW, d.minH)
			}
			Recycle(img)
		}
	}
}
