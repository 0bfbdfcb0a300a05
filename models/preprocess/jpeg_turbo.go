//go:build cgo

package preprocess

import (
	"errors"
	"fmt"
	"image"

	"github.com/visiond/visiond/models/preprocess/turbo"
)

// decodeJPEG decodes a JPEG with libjpeg-turbo at the smallest scale that keeps at least
// minW×minH pixels after orientation o, returning the upright image (a *Reduced when scaled
// down) and the original's upright size. ok is false when libjpeg-turbo refuses the file (a
// warning, CMYK, a hostile progressive file...): the caller then tries Go's decoder, which either
// decodes it or explains what is wrong.
func decodeJPEG(data []byte, lim Limits, minW, minH, o int) (img image.Image, w, h int, ok bool, err error) {
	if o >= 5 {
		minW, minH = minH, minW // rotated by 90°: the stored width becomes the height
	}
	rgba, size, err := turbo.DecodeScaled(data, minW, minH, lim.MaxPixels, reusable())
	switch {
	case errors.Is(err, turbo.ErrTooLarge):
		return nil, 0, 0, true, fmt.Errorf("%w: %w", ErrTooLarge, err)
	case err != nil:
		return nil, 0, 0, false, nil
	}
	img, w, h = orient(rgba, o), size.X, size.Y
	if o >= 5 {
		w, h = h, w
	}
	if rgba.Rect.Dx() < size.X {
		img = &Reduced{Image: img, Width: w, Height: h}
	}
	return img, w, h, true, nil
}
