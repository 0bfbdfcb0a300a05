package preprocess

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// exifSides is what the EXIF specification says each orientation value means: the side of the
// displayed image along which the stored image's 0th row lies, and the side of its 0th column.
var exifSides = [9][2]string{
	1: {"top", "left"}, 2: {"top", "right"}, 3: {"bottom", "right"}, 4: {"bottom", "left"},
	5: {"left", "top"}, 6: {"right", "top"}, 7: {"right", "bottom"}, 8: {"left", "bottom"},
}

// displayedAt returns where stored pixel (sx, sy) of a stored w×h image is shown: stored row sy
// runs along the 0th row's side, sy pixels away from it, and stored column sx along the 0th
// column's side, sx pixels away from it.
func displayedAt(o, sx, sy, w, h int) (x, y int) {
	rowSide, colSide := exifSides[o][0], exifSides[o][1]
	dw, dh := w, h
	if rowSide == "left" || rowSide == "right" {
		dw, dh = h, w
	}
	place := func(side string, dist int) {
		switch side {
		case "top":
			y = dist
		case "bottom":
			y = dh - 1 - dist
		case "left":
			x = dist
		case "right":
			x = dw - 1 - dist
		}
	}
	place(rowSide, sy)
	place(colSide, sx)
	return x, y
}

func TestDecodeOrientationCorners(t *testing.T) {
	red, green, blue, white := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 255, 255}
	greys := [4]color.Color{color.Gray{40}, color.Gray{100}, color.Gray{160}, color.Gray{220}}
	grey := image.NewGray(image.Rect(0, 0, 32, 16))
	q := quadrants(32, 16, greys)
	for y := range 16 {
		for x := range 32 {
			grey.Set(x, y, q.At(x, y))
		}
	}
	rgbw := [4]color.Color{red, green, blue, white}
	cases := []struct {
		name string
		jpg  []byte
		w, h int
		want [4]color.Color // stored top-left, top-right, bottom-left, bottom-right
	}{
		{"grey", encodeJPEG(t, grey), 32, 16, greys},
		{"ycbcr420", encodeJPEG(t, quadrants(32, 16, rgbw)), 32, 16, rgbw},
		{"cmyk", fixture(t, "cmyk.jpg"), 16, 16, rgbw},
		{"ycbcr411", fixture(t, "ycbcr411.jpg"), 32, 16, rgbw},
	}
	for _, c := range cases {
		for o := 1; o <= 8; o++ {
			for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
				t.Run(fmt.Sprintf("%s/%d/%v", c.name, o, bo), func(t *testing.T) {
					img, info, err := Decode(withSegment(c.jpg, exifSegment(uint16(o), bo)), Limits{})
					if err != nil {
						t.Fatal(err)
					}
					dw, dh := c.w, c.h
					if o >= 5 {
						dw, dh = c.h, c.w
					}
					if info.Orientation != o || info.Width != dw || info.Height != dh || img.Bounds() != image.Rect(0, 0, dw, dh) {
						t.Fatalf("info %+v bounds %v, want orientation %d and %dx%d", info, img.Bounds(), o, dw, dh)
					}
					for q, p := range []image.Point{{c.w / 4, c.h / 4}, {3 * c.w / 4, c.h / 4}, {c.w / 4, 3 * c.h / 4}, {3 * c.w / 4, 3 * c.h / 4}} {
						x, y := displayedAt(o, p.X, p.Y, c.w, c.h)
						want := rgb8(image.NewUniform(c.want[q]), 0, 0)
						if got := rgb8(img, x, y); !near(got, want, 40) {
							t.Errorf("stored quadrant %d shown at (%d,%d) is %v, want %v", q, x, y, got, want)
						}
					}
				})
			}
		}
	}
}

// TestDecodeOrientationPhoto turns a real photo every way and checks every pixel against the
// photo as stored.
func TestDecodeOrientationPhoto(t *testing.T) {
	data, err := os.ReadFile(testenv.Image(t, "burger.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	stored, info, err := Decode(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Orientation != 1 {
		t.Fatalf("burger.jpg has orientation %d, want 1", info.Orientation)
	}
	w, h := info.Width, info.Height
	for o := 1; o <= 8; o++ {
		img, info, err := Decode(withSegment(data, exifSegment(uint16(o), binary.BigEndian)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if info.Orientation != o {
			t.Fatalf("orientation %d read as %d", o, info.Orientation)
		}
		bad := 0
		for sy := range h {
			for sx := range w {
				x, y := displayedAt(o, sx, sy, w, h)
				if img.At(x, y) != stored.At(sx, sy) {
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("orientation %d: %d of %d pixels are not where the EXIF specification puts them", o, bad, w*h)
		}
	}
}

func TestOrientPlanesAndRatios(t *testing.T) {
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	for _, ratio := range ratios {
		src := randomYCbCr(16, 8, ratio, 1)
		for o := 1; o <= 8; o++ {
			got := orient(src, o)
			for sy := range 8 {
				for sx := range 16 {
					x, y := displayedAt(o, sx, sy, 16, 8)
					want := rgb8(src, sx, sy)
					if g := rgb8(got, x, y); !near(g, want, 1) {
						t.Fatalf("%v orientation %d: (%d,%d) is %v, want %v from (%d,%d)", ratio, o, x, y, g, want, sx, sy)
					}
				}
			}
		}
	}
}

func TestEXIFOrientationParser(t *testing.T) {
	soi := []byte{0xff, 0xd8}
	seg := func(marker byte, payload string) []byte {
		s := []byte{0xff, marker}
		s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
		return append(s, payload...)
	}
	exif6 := exifSegment(6, binary.LittleEndian)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	truncated := join(soi, exif6)
	truncated = truncated[:len(truncated)-10]
	badType := exifSegment(6, binary.BigEndian)
	badType[4+6+8+2+12+2+1] = 4 // the orientation entry's type: LONG
	cases := []struct {
		name string
		data []byte
		want int
	}{
		{"little endian", join(soi, exif6), 6},
		{"big endian", join(soi, exifSegment(8, binary.BigEndian)), 8},
		{"after JFIF and XMP", join(soi, seg(0xe0, "JFIF\x00\x01\x02"), seg(0xe1, "http://ns.adobe.com/xap/1.0/\x00<x/>"), exifSegment(3, binary.BigEndian)), 3},
		{"fill bytes", join(soi, []byte{0xff, 0xff}, exif6), 6},
		{"not a JPEG", exif6, 1},
		{"empty", nil, 1},
		{"no EXIF", join(soi, seg(0xe0, "JFIF\x00")), 1},
		{"after start of scan", join(soi, seg(0xda, "\x00"), exif6), 1},
		{"truncated", truncated, 1},
		{"zero", join(soi, exifSegment(0, binary.LittleEndian)), 1},
		{"nine", join(soi, exifSegment(9, binary.LittleEndian)), 1},
		{"wrong type", join(soi, badType), 1},
		{"segment longer than data", join(soi, []byte{0xff, 0xe1, 0xff, 0xff}, []byte("Exif\x00\x00II*\x00")), 1},
		{"IFD offset out of range", join(soi, seg(0xe1, "Exif\x00\x00II*\x00\xff\xff\xff\xff")), 1},
		{"entry count beyond data", join(soi, seg(0xe1, "Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff\x01\x12\x00\x03")), 1},
		{"bad byte order", join(soi, seg(0xe1, "Exif\x00\x00XX*\x00\x00\x00\x00\x08\x00\x00")), 1},
		{"segment length below 2", join(soi, []byte{0xff, 0xe1, 0x00, 0x01}, exif6), 1},
		{"lost sync", join(soi, []byte{0x00, 0x00, 0x00, 0x00}, exif6), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := exifOrientation(c.data); got != c.want {
				t.Errorf("orientation %d, want %d", got, c.want)
			}
		})
	}
}
