package preprocess

import "image"

// Reduced is an image decoded at less than its original size (DecodeAtLeast scales large JPEGs
// while decoding them). Its pixels cover the whole original, which is Width×Height pixels.
// ToUint8 and ToFloat32 return Transforms to the original's coordinates, so results mapped back
// through them need no rescaling.
type Reduced struct {
	image.Image
	// Width and Height are the original's size.
	Width, Height int
}

// SourceSize is the size of the original an image stands for: Width×Height of a *Reduced,
// else the image's own size.
func SourceSize(img image.Image) (w, h int) {
	if r, ok := img.(*Reduced); ok {
		return r.Width, r.Height
	}
	b := img.Bounds()
	return b.Dx(), b.Dy()
}
