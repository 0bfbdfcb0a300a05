//go:build cgo

package turbo

import (
	"errors"
	"image"
	"testing"
)

// FuzzDecodeScaled feeds arbitrary bytes and sizes to DecodeScaled and Header: they must return
// an image or an error, never crash, and agree with each other on what the header declares.
func FuzzDecodeScaled(f *testing.F) {
	gray := image.NewGray(image.Rect(0, 0, 9, 7))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 37)
	}
	for _, img := range []image.Image{gradient(16, 16), gradient(33, 17), gradient(1, 1), gray} {
		data := encode(f, img)
		f.Add(data, 4, 4)
		f.Add(data, 0, 0)
		f.Add(data[:len(data)-10], 2, 2)
	}
	f.Fuzz(func(t *testing.T, data []byte, minW, minH int) {
		const maxPixels = 1 << 20
		img, size, err := DecodeScaled(data, minW, minH, maxPixels, nil)
		w, h, herr := Header(data)
		if err != nil {
			if !errors.Is(err, ErrBadJPEG) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if herr != nil {
			t.Fatalf("decoded, but Header fails: %v", herr)
		}
		if int64(w)*int64(h) > maxPixels {
			t.Fatalf("decoded %dx%d over the limit", w, h)
		}
		dw, dh := img.Rect.Dx(), img.Rect.Dy()
		if dw < 1 || dh < 1 || dw > w || dh > h || len(img.Pix) != 4*dw*dh {
			t.Fatalf("decoded %v (%d bytes) from a %dx%d header", img.Rect, len(img.Pix), w, h)
		}
		if size.X != w || size.Y != h {
			t.Fatalf("original size %v, header says %dx%d", size, w, h)
		}
		if dw < w && (dw < minW || dh < minH) {
			t.Fatalf("scaled to %dx%d, under the %dx%d asked for", dw, dh, minW, minH)
		}
	})
}
