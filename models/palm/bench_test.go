package palm

import (
	"image"
	"testing"
)

// BenchmarkSample: one 224x224 rotated crop from a 720x382 image, as the hand pipeline makes
// per hand, from an RGBA image (what libjpeg-turbo decodes to) and a YCbCr 4:2:0 one (what
// Go's JPEG decoder returns).
//
//	go test ./models/palm -run '^$' -bench Sample
func BenchmarkSample(b *testing.B) {
	r := image.Rect(0, 0, 720, 382)
	rgba, ycc := image.NewRGBA(r), image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i)
	}
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i)
	}
	c := Crop{Rect: Rect{CX: 300, CY: 200, W: 350, H: 350, Angle: 0.6}, Size: LandmarkInput}
	dst := make([]float32, LandmarkInput*LandmarkInput*3)
	for name, img := range map[string]image.Image{"RGBA": rgba, "YCbCr": ycc} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Sample(img, c.Affine(), c.Size, 0, 255, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
