package preprocess

import (
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

func fuzzSeeds(t testing.TB) [][]byte {
	rgbw := [4]color.Color{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.White}
	small := quadrants(8, 6, rgbw)
	jpg := encodeJPEG(t, small)
	wide := image.NewNRGBA64(image.Rect(0, 0, 3, 2))
	wide.SetNRGBA64(1, 1, color.NRGBA64{0x1234, 0, 0xffff, 0x8000})
	return [][]byte{
		jpg,
		withSegment(jpg, exifSegment(6, binary.LittleEndian)),
		withSegment(encodeJPEG(t, greyImage(2, 3, 1, 2, 3, 4, 5, 6)), exifSegment(7, binary.BigEndian)),
		encodePNG(t, small),
		encodePNG(t, wide),
		encodeGIF(t, small),
		encodeBMP(t, small),
		fixture(t, "cmyk.jpg"),
		fixture(t, "ycbcr411.jpg"),
		fixture(t, "lossless.webp"),
		fixture(t, "alpha.webp"),
		testenv.PNGHeader(100000, 100000),
	}
}

// FuzzDecode feeds Decode arbitrary bytes: it must return an image that agrees with its Info,
// or an error wrapping one of the sentinels, and never panic; what it returns must resample,
// and DecodeAtLeast must agree with it.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, info, err := Decode(data, lim)
		if err != nil {
			if !errors.Is(err, ErrBadImage) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			if img != nil {
				t.Fatalf("image %T with error %v", img, err)
			}
			return
		}
		b := img.Bounds()
		if b.Empty() || b != image.Rect(0, 0, info.Width, info.Height) || int64(b.Dx())*int64(b.Dy()) > lim.MaxPixels {
			t.Fatalf("bounds %v, info %+v", b, info)
		}
		if info.Orientation < 1 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
		for _, l := range []Layout{{7, 5, Letterbox}, {3, 9, Stretch}} {
			if _, err := ToUint8(img, l, make([]uint8, l.Width*l.Height*3)); err != nil {
				t.Fatalf("%+v: %v", l, err)
			}
		}
		// A reduced decode of what decoded at full size succeeds, stands for the same size and
		// keeps at least the pixels asked for.
		small, sinfo, err := DecodeAtLeast(data, lim, 3, 2)
		if err != nil || sinfo != info {
			t.Fatalf("reduced decode: %v, info %+v, full info %+v", err, sinfo, info)
		}
		if w, h := SourceSize(small); w != info.Width || h != info.Height {
			t.Fatalf("reduced image stands for %dx%d, info %+v", w, h, info)
		}
		if sb := small.Bounds(); sb.Dx() < min(3, b.Dx()) || sb.Dy() < min(2, b.Dy()) {
			t.Fatalf("reduced to %v, asked for 3×2 of %v", sb, b)
		}
	})
}

// FuzzEXIF feeds the EXIF reader arbitrary bytes: it must answer an orientation from 1 to 8.
func FuzzEXIF(f *testing.F) {
	for _, s := range fuzzSeeds(f)[:3] {
		f.Add(s)
	}
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x1eExif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := exifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
