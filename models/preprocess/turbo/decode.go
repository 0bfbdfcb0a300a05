//go:build cgo

package turbo

import (
	"fmt"
	"image"
	"sync"
)

// factors are libjpeg-turbo's scaling factors, read once.
var factors = sync.OnceValue(scalingFactors)

// DecodeScaled decodes JPEG data to RGB at the smallest libjpeg-turbo scaling factor whose
// result is at least minW×minH (or full size when none is smaller), and returns the image and
// the original's size as its header declares it.
//
// The header's width×height is checked against maxPixels before anything is decoded; a
// maxPixels of zero or less admits no image. The pixels are decoded straight into the returned
// image, whose alpha is opaque and whose bounds start at (0, 0); they go into pix when its
// capacity is large enough (so a caller can reuse the pixels of an image it is done with),
// else into a new slice. The EXIF orientation is not applied. Errors wrap ErrBadJPEG or
// ErrTooLarge. DecodeScaled is safe for concurrent use.
func DecodeScaled(data []byte, minW, minH int, maxPixels int64, pix []byte) (*image.RGBA, image.Point, error) {
	if len(data) == 0 {
		return nil, image.Point{}, fmt.Errorf("%w: empty input", ErrBadJPEG)
	}
	d, err := newDecompressor()
	if err != nil {
		return nil, image.Point{}, err
	}
	defer d.close()
	w, h, err := d.header(data)
	if err != nil {
		return nil, image.Point{}, err
	}
	if err := checkSize(w, h, maxPixels); err != nil {
		return nil, image.Point{}, err
	}
	f := choose(factors(), w, h, minW, minH)
	img := rgba(f.scaled(w), f.scaled(h), pix)
	if err := d.decompress(data, img.Pix, img.Rect.Dx(), img.Rect.Dy()); err != nil {
		return nil, image.Point{}, err
	}
	return img, image.Pt(w, h), nil
}

// rgba is a w×h RGBA image on pix when it has the room, else on new pixels.
func rgba(w, h int, pix []byte) *image.RGBA {
	r := image.Rect(0, 0, w, h)
	if n := 4 * w * h; cap(pix) >= n {
		return &image.RGBA{Pix: pix[:n], Stride: 4 * w, Rect: r}
	}
	return image.NewRGBA(r)
}

// Header returns the image size declared by the JPEG's frame header, without decoding pixels.
// Errors wrap ErrBadJPEG. Header is safe for concurrent use.
func Header(data []byte) (w, h int, err error) {
	if len(data) == 0 {
		return 0, 0, fmt.Errorf("%w: empty input", ErrBadJPEG)
	}
	d, err := newDecompressor()
	if err != nil {
		return 0, 0, err
	}
	defer d.close()
	return d.header(data)
}

// checkSize rejects a declared size that is empty or over maxPixels.
func checkSize(w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: header declares %dx%d pixels", ErrBadJPEG, w, h)
	}
	if px := int64(w) * int64(h); px > maxPixels {
		return fmt.Errorf("%w: %dx%d is %d pixels, limit %d", ErrTooLarge, w, h, px, maxPixels)
	}
	return nil
}
