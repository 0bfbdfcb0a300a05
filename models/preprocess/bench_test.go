package preprocess

import (
	"encoding/binary"
	"image"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// benchPhoto is a 1280x1280 JPEG photo.
func benchPhoto(b *testing.B) []byte {
	data, err := os.ReadFile(testenv.Image(b, "airplane_airport_1280.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkDecode(b *testing.B) {
	data := benchPhoto(b)
	for name, in := range map[string][]byte{
		"upright":   data,
		"rotated90": withSegment(data, exifSegment(6, binary.BigEndian)),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Decode(in, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkToUint8(b *testing.B) {
	img, _, err := Decode(benchPhoto(b), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rgba := img.(*image.RGBA) // libjpeg-turbo's output
	cases := []struct {
		name string
		img  image.Image
		l    Layout
	}{
		{"300x300", img, Layout{300, 300, Stretch}},
		// The same pixels as NRGBA: the Go kernel instead of package bilinear, for comparison.
		{"300x300go", &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect}, Layout{300, 300, Stretch}},
		{"224x224", img, Layout{224, 224, Stretch}},
		{"300x300letterbox", img, Layout{300, 300, Letterbox}},
		// The same image behind a plain image.Image: the At fallback, for comparison.
		{"300x300generic", plainImage{img}, Layout{300, 300, Stretch}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]uint8, c.l.Width*c.l.Height*3)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ToUint8(c.img, c.l, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkToFloat32(b *testing.B) {
	img, _, err := Decode(benchPhoto(b), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, 224*224*3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToFloat32(img, Layout{224, 224, Stretch}, 127.5, 127.5, dst); err != nil {
			b.Fatal(err)
		}
	}
}
