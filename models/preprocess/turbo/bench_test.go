//go:build cgo

package turbo

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// Run with: go test ./models/preprocess/turbo -run '^$' -bench . -benchmem
// Each pair decodes the same JPEG for a 300×300 model input: libjpeg-turbo scaling in the
// IDCT, and image/jpeg at full size (before any resize).

func BenchmarkDecodeScaled(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, _, err := DecodeScaled(in.data, 300, 300, 40_000_000, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStdlibDecode(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := jpeg.Decode(bytes.NewReader(in.data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type benchInput struct {
	name string
	data []byte
}

// benchInputs are the 1280×1280 photo and a 640×480 JPEG cut from its centre.
func benchInputs(b *testing.B) []benchInput {
	big := photo(b, "airplane_airport_1280.jpg")
	img, err := jpeg.Decode(bytes.NewReader(big))
	if err != nil {
		b.Fatal(err)
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		b.Fatalf("%T has no SubImage", img)
	}
	small := encode(b, sub.SubImage(image.Rect(320, 400, 960, 880)))
	return []benchInput{{"1280x1280", big}, {"640x480", small}}
}
