//go:build !cgo

package preprocess

import "image"

// decodeJPEG is the libjpeg-turbo fast path, which builds without cgo have not: ok is always
// false, so Go's decoder decodes every JPEG at full size.
func decodeJPEG(data []byte, lim Limits, minW, minH, o int) (img image.Image, w, h int, ok bool, err error) {
	return nil, 0, 0, false, nil
}
