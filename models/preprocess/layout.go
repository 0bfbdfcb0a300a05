package preprocess

import (
	"fmt"
	"image"
)

// Fit says how the image maps onto the tensor.
type Fit int

const (
	// Stretch scales width and height independently so the image fills the tensor.
	Stretch Fit = iota
	// Letterbox keeps the aspect ratio and centres the image; the rest is padded with black
	// (pixel value 0 before normalisation). Sizes and padding are those of
	// tf.image.resize_with_pad: the scaled side is rounded down, the padding before it too.
	Letterbox
)

// MaxSide is the largest tensor width or height a Layout may have.
const MaxSide = 1 << 14

// Layout is a model's image input: an NHWC RGB tensor of Width×Height pixels, and how the image
// fits into it.
type Layout struct {
	// Width and Height are the tensor's size in pixels, 1 to MaxSide each.
	Width, Height int
	// Fit is how the image is placed in the tensor.
	Fit Fit
}

func (l Layout) validate(n int) error {
	if l.Width < 1 || l.Height < 1 || l.Width > MaxSide || l.Height > MaxSide {
		return fmt.Errorf("%w: size %dx%d, want 1 to %d per side", ErrBadLayout, l.Width, l.Height, MaxSide)
	}
	if l.Fit != Stretch && l.Fit != Letterbox {
		return fmt.Errorf("%w: unknown fit %d", ErrBadLayout, l.Fit)
	}
	if want := l.Width * l.Height * 3; n != want {
		return fmt.Errorf("%w: destination has %d elements, want %d (%dx%dx3)", ErrBadLayout, n, want, l.Width, l.Height)
	}
	return nil
}

// place returns where a w×h image lands in the tensor: the whole tensor for Stretch, the
// centred aspect-preserving rectangle for Letterbox (at least one pixel high and wide).
func (l Layout) place(w, h int) image.Rectangle {
	if l.Fit == Stretch {
		return image.Rect(0, 0, l.Width, l.Height)
	}
	// Exact integer forms of resize_with_pad's floor(h/ratio) and floor((H - h/ratio)/2),
	// with ratio = max(w/W, h/H).
	W, H, w64, h64 := int64(l.Width), int64(l.Height), int64(w), int64(h)
	var cw, ch, ox, oy int64
	if w64*H >= h64*W { // the width limits
		cw, ch, oy = W, h64*W/w64, (H*w64-h64*W)/(2*w64)
	} else {
		cw, ch, ox = w64*H/h64, H, (W*h64-w64*H)/(2*h64)
	}
	cw, ch = max(cw, 1), max(ch, 1)
	ox, oy = min(ox, W-cw), min(oy, H-ch)
	return image.Rect(int(ox), int(oy), int(ox+cw), int(oy+ch))
}

// Transform maps tensor coordinates back to source image coordinates, to put boxes and keypoints
// back on the image the tensor was made from.
//
// Coordinates are continuous on both sides: pixel (i, j) covers [i, i+1)×[j, j+1) and its centre
// is (i+0.5, j+0.5). Source coordinates are relative to the image's Bounds().Min (which is (0, 0)
// for images from Decode). Per axis:
//
//	source = (tensor - Offset) * Scale
//	tensor = source / Scale + Offset
//
// Offset is the top-left corner of the image's content in the tensor (the letterbox padding; 0 for
// Stretch) and Scale is source pixels per tensor pixel (source width / content width). The
// centre of tensor pixel i maps to the source point it was sampled at: (i + 0.5 - Offset)*Scale
// is TensorFlow's half-pixel source index (i + 0.5)*Scale - 0.5, plus 0.5 for the pixel centre.
// A model output normalised to [0, 1] of the tensor is multiplied by the tensor's Width or
// Height first; a point in the padding maps outside the image.
type Transform struct {
	// ScaleX and ScaleY are source pixels per tensor pixel.
	ScaleX, ScaleY float64
	// OffsetX and OffsetY are the tensor coordinates of the image's top-left corner.
	OffsetX, OffsetY float64
}

// ToSource maps a point in tensor coordinates to source image coordinates.
func (t Transform) ToSource(x, y float64) (sx, sy float64) {
	return (x - t.OffsetX) * t.ScaleX, (y - t.OffsetY) * t.ScaleY
}

// ToTensor maps a point in source image coordinates to tensor coordinates; it is the inverse of
// ToSource.
func (t Transform) ToTensor(sx, sy float64) (x, y float64) {
	return sx/t.ScaleX + t.OffsetX, sy/t.ScaleY + t.OffsetY
}

func transformFor(content image.Rectangle, w, h int) Transform {
	return Transform{
		ScaleX:  float64(w) / float64(content.Dx()),
		ScaleY:  float64(h) / float64(content.Dy()),
		OffsetX: float64(content.Min.X),
		OffsetY: float64(content.Min.Y),
	}
}
