package preprocess

import (
	"image"
	"image/draw"
)

// orient returns img turned upright according to an EXIF orientation (1–8), keeping the pixel
// type where it can: grey, RGBA, CMYK and YCbCr planes are rotated as they are (YCbCr 4:2:2
// becomes 4:4:0 when rotated by 90°, and back). Other images, and the 4:1:1 and 4:1:0 YCbCr
// layouts under a 90° rotation, are converted to RGBA first.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	r := image.Rect(0, 0, w, h)
	if o >= 5 {
		r = image.Rect(0, 0, h, w)
	}
	switch m := img.(type) {
	case *image.Gray:
		d := image.NewGray(r)
		orientPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 1, o)
		return d
	case *image.RGBA:
		d := image.NewRGBA(r)
		orientPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
		return d
	case *image.CMYK:
		d := image.NewCMYK(r)
		orientPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
		return d
	case *image.YCbCr:
		if ratio, ok := orientedRatio(m.SubsampleRatio, o); ok && b.Min == (image.Point{}) {
			d := image.NewYCbCr(r, ratio)
			orientPlane(d.Y, d.YStride, m.Y, m.YStride, w, h, 1, o)
			hs, vs := subsampling(m.SubsampleRatio)
			cw, ch := (w+hs-1)/hs, (h+vs-1)/vs
			orientPlane(d.Cb, d.CStride, m.Cb, m.CStride, cw, ch, 1, o)
			orientPlane(d.Cr, d.CStride, m.Cr, m.CStride, cw, ch, 1, o)
			return d
		}
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	return orient(rgba, o)
}

// orientedRatio is the subsample ratio of a YCbCr image after orientation o, if there is one.
func orientedRatio(r image.YCbCrSubsampleRatio, o int) (image.YCbCrSubsampleRatio, bool) {
	if o < 5 {
		return r, true // flips and 180° keep the layout
	}
	switch r {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420:
		return r, true
	case image.YCbCrSubsampleRatio422:
		return image.YCbCrSubsampleRatio440, true
	case image.YCbCrSubsampleRatio440:
		return image.YCbCrSubsampleRatio422, true
	}
	return r, false
}

// orientPlane copies a w×h plane of bpp-byte pixels from src to dst, applying orientation o.
// Displayed pixel (x, y) comes from stored pixel:
//
//	2: (w-1-x, y)      mirrored left-right
//	3: (w-1-x, h-1-y)  rotated 180°
//	4: (x, h-1-y)      mirrored top-bottom
//	5: (y, x)          transposed
//	6: (y, h-1-x)      rotated 90° clockwise
//	7: (w-1-y, h-1-x)  transversed
//	8: (w-1-y, x)      rotated 90° counter-clockwise
//
// The mapping is affine, so it walks src with a step per displayed column (dx) and per
// displayed row (dy) from the stored pixel shown top-left (start).
func orientPlane(dst []byte, dstStride int, src []byte, srcStride, w, h, bpp, o int) {
	last, bottom := (w-1)*bpp, (h-1)*srcStride
	var start, dx, dy int
	switch o {
	case 2:
		start, dx, dy = last, -bpp, srcStride
	case 3:
		start, dx, dy = bottom+last, -bpp, -srcStride
	case 4:
		start, dx, dy = bottom, bpp, -srcStride
	case 5:
		start, dx, dy = 0, srcStride, bpp
	case 6:
		start, dx, dy = bottom, -srcStride, bpp
	case 7:
		start, dx, dy = bottom+last, -srcStride, -bpp
	case 8:
		start, dx, dy = last, srcStride, -bpp
	default:
		start, dx, dy = 0, bpp, srcStride
	}
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	for y := 0; y < dh; y++ {
		s, row := start+y*dy, dst[y*dstStride:y*dstStride+dw*bpp]
		if bpp == 1 {
			for d := range row {
				row[d] = src[s]
				s += dx
			}
			continue
		}
		for d := 0; d < len(row); d += bpp {
			copy(row[d:d+bpp], src[s:s+bpp])
			s += dx
		}
	}
}
