package pipeline

import (
	"context"
	"fmt"
	"image"

	"github.com/visiond/visiond/models/preprocess"
)

// decode returns the request's image: req.Decoded as it is, within the pixel limit, or
// req.Image decoded within ctx, reduced towards the model's input size w×h where that loses nothing.
func (p *Pipeline) decode(ctx context.Context, req Request, w, h int) (image.Image, error) {
	if req.Decoded == nil {
		img, _, err := preprocess.DecodeContext(ctx, req.Image, p.limits, w, h)
		return img, err
	}
	b := req.Decoded.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("%w: empty frame", preprocess.ErrBadImage)
	}
	if n := int64(b.Dx()) * int64(b.Dy()); p.limits.MaxPixels > 0 && n > p.limits.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d pixels, limit %d", preprocess.ErrTooLarge, b.Dx(), b.Dy(), p.limits.MaxPixels)
	}
	return req.Decoded, nil
}
