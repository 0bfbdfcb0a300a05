//go:build cgo

package turbo

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// photo reads one of the shared test photos.
func photo(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(testenv.Image(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// encode makes a JPEG of img at quality 90.
func encode(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gradient is a w×h image with colours that change across both axes.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			p := img.Pix[img.PixOffset(x, y):][:4]
			p[0], p[1], p[2], p[3] = uint8(255*x/w), uint8(255*y/h), uint8((x+y)%256), 0xff
		}
	}
	return img
}

// meanAbsDiff is the mean absolute difference per RGB channel between two images of one size.
func meanAbsDiff(t *testing.T, a *image.RGBA, b image.Image) float64 {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v and %v differ", a.Bounds(), b.Bounds())
	}
	var sum int64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := a.RGBAAt(x, y)
			qr, qg, qb, _ := b.At(x, y).RGBA()
			sum += absDiff(p.R, qr>>8) + absDiff(p.G, qg>>8) + absDiff(p.B, qb>>8)
		}
	}
	return float64(sum) / float64(3*r.Dx()*r.Dy())
}

func absDiff(a uint8, b uint32) int64 {
	return max(int64(a)-int64(b), int64(b)-int64(a))
}

// boxDown shrinks img by an integer factor k, averaging each k×k block.
func boxDown(img *image.RGBA, k int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/k, b.Dy()/k))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var sum [4]int
			for dy := range k {
				p := img.Pix[img.PixOffset(x*k, y*k+dy):][:4*k]
				for i, v := range p {
					sum[i%4] += int(v)
				}
			}
			q := out.Pix[out.PixOffset(x, y):][:4]
			for c := range q {
				q[c] = uint8((sum[c] + k*k/2) / (k * k))
			}
		}
	}
	return out
}
