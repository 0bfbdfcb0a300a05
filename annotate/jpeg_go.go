//go:build !cgo

package annotate

import (
	"image"
	"image/jpeg"
	"io"
)

// encodeJPEG writes img as a JPEG with image/jpeg, the encoder of builds without cgo.
func encodeJPEG(w io.Writer, img image.Image, quality int) error {
	return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
}
