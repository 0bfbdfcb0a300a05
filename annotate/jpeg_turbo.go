//go:build cgo

package annotate

import (
	"image"
	"image/jpeg"
	"io"

	"github.com/visiond/visiond/models/preprocess/turbo"
)

// encodeJPEG writes img as a 4:2:0 JPEG: through libjpeg-turbo for RGBA images (what every
// drawing function returns) of up to turbo.MaxEncodePixels, about ten times faster than
// image/jpeg, else through image/jpeg.
func encodeJPEG(w io.Writer, img image.Image, quality int) error {
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect.Empty() || int64(rgba.Rect.Dx())*int64(rgba.Rect.Dy()) > turbo.MaxEncodePixels {
		return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
	}
	out, err := turbo.Encode(nil, rgba, quality)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}
