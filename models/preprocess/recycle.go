package preprocess

import (
	"image"
	"sync"
)

// pixels holds the pixel slices (*[]byte) of images handed back by Recycle, for libjpeg-turbo
// to decode into: a daemon decoding frames of one camera then allocates (and the garbage
// collector clears) no new megabytes per frame.
var pixels sync.Pool

// Recycle hands back the pixels of an image that Decode or DecodeAtLeast returned, once the
// caller is done with it, so that a later decode can reuse them. Neither img nor anything that
// shares its pixels may be used afterwards. Images of other types are left alone.
func Recycle(img image.Image) {
	if r, ok := img.(*Reduced); ok {
		img = r.Image
	}
	if m, ok := img.(*image.RGBA); ok && cap(m.Pix) > 0 {
		pix := m.Pix[:cap(m.Pix)]
		pixels.Put(&pix)
	}
}

// reusable returns pixels handed back by Recycle, or nil.
func reusable() []byte {
	if p, ok := pixels.Get().(*[]byte); ok {
		return *p
	}
	return nil
}
