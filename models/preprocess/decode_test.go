package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/visiond/visiond/internal/testenv"
)

type pixel struct {
	x, y int
	rgb  [3]int
}

func TestDecodeFormats(t *testing.T) {
	red, green, blue, white := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 255, 255}
	rgbw := [4]color.Color{red, green, blue, white}
	quadPixels := func(w, h int) []pixel {
		return []pixel{{w / 4, h / 4, [3]int{255, 0, 0}}, {3 * w / 4, h / 4, [3]int{0, 255, 0}}, {w / 4, 3 * h / 4, [3]int{0, 0, 255}}, {3 * w / 4, 3 * h / 4, [3]int{255, 255, 255}}}
	}

	nrgba := image.NewNRGBA(image.Rect(0, 0, 3, 1))
	copy(nrgba.Pix, []uint8{200, 100, 50, 0, 1, 2, 3, 128, 9, 8, 7, 255})
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 2, 1))
	rgba64.SetRGBA64(0, 0, color.RGBA64{0x1234, 0xfedc, 0x8080, 0xffff})
	rgba64.SetRGBA64(1, 0, color.RGBA64{0, 0xffff, 0x0101, 0xffff})
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	nrgba64.SetNRGBA64(0, 0, color.NRGBA64{0x1234, 0xfedc, 0x8080, 0x0001})
	gray16 := image.NewGray16(image.Rect(0, 0, 1, 1))
	gray16.SetGray16(0, 0, color.Gray16{0x1234})
	pal := color.Palette{color.RGBA{10, 20, 30, 255}, color.RGBA{200, 150, 100, 255}, color.RGBA{0, 0, 0, 255}}
	paletted := image.NewPaletted(image.Rect(0, 0, 2, 2), pal)
	copy(paletted.Pix, []uint8{0, 1, 1, 2})
	opaque := image.NewRGBA(image.Rect(0, 0, 3, 2))
	copy(opaque.Pix, []uint8{1, 2, 3, 255, 40, 50, 60, 255, 255, 0, 128, 255, 7, 7, 7, 255, 0, 0, 0, 255, 255, 255, 255, 255})
	greyQuads := image.NewGray(image.Rect(0, 0, 32, 16))
	for y := range 16 {
		for x := range 32 {
			greyQuads.Pix[y*32+x] = uint8(40 + 60*(x/16) + 120*(y/8))
		}
	}
	panorama := image.NewNRGBA(image.Rect(0, 0, 8000, 100))
	for i := 0; i < len(panorama.Pix); i += 4 {
		copy(panorama.Pix[i:], []uint8{200, 100, 50, 255})
	}

	cases := []struct {
		name   string
		data   []byte
		format Format
		w, h   int
		tol    int
		pixels []pixel
	}{
		{"png with alpha", encodePNG(t, nrgba), PNG, 3, 1, 0, []pixel{{0, 0, [3]int{200, 100, 50}}, {1, 0, [3]int{1, 2, 3}}, {2, 0, [3]int{9, 8, 7}}}},
		// 16-bit values in 0–255: 0x1234/257 = 18.1, 0xfedc/257 = 253.9, 0x8080/257 = 128.
		{"png 16-bit rgb", encodePNG(t, rgba64), PNG, 2, 1, 0, []pixel{{0, 0, [3]int{18, 254, 128}}, {1, 0, [3]int{0, 255, 1}}}},
		{"png 16-bit with alpha", encodePNG(t, nrgba64), PNG, 1, 1, 0, []pixel{{0, 0, [3]int{18, 254, 128}}}},
		{"png 16-bit grey", encodePNG(t, gray16), PNG, 1, 1, 0, []pixel{{0, 0, [3]int{18, 18, 18}}}},
		{"png paletted", encodePNG(t, paletted), PNG, 2, 2, 0, []pixel{{0, 0, [3]int{10, 20, 30}}, {1, 0, [3]int{200, 150, 100}}, {1, 1, [3]int{0, 0, 0}}}},
		{"png 1x1", encodePNG(t, greyImage(1, 1, 99)), PNG, 1, 1, 0, []pixel{{0, 0, [3]int{99, 99, 99}}}},
		{"png 8000x100 panorama", encodePNG(t, panorama), PNG, 8000, 100, 0, []pixel{{0, 0, [3]int{200, 100, 50}}, {7999, 99, [3]int{200, 100, 50}}}},
		{"gif", encodeGIF(t, paletted), GIF, 2, 2, 0, []pixel{{0, 0, [3]int{10, 20, 30}}, {0, 1, [3]int{200, 150, 100}}}},
		{"bmp", encodeBMP(t, opaque), BMP, 3, 2, 0, []pixel{{0, 0, [3]int{1, 2, 3}}, {2, 0, [3]int{255, 0, 128}}, {2, 1, [3]int{255, 255, 255}}}},
		{"jpeg ycbcr 4:2:0", encodeJPEG(t, quadrants(32, 16, rgbw)), JPEG, 32, 16, 40, quadPixels(32, 16)},
		{"jpeg grey", encodeJPEG(t, greyQuads), JPEG, 32, 16, 4, []pixel{{4, 4, [3]int{40, 40, 40}}, {20, 4, [3]int{100, 100, 100}}, {4, 12, [3]int{160, 160, 160}}, {20, 12, [3]int{220, 220, 220}}}},
		{"jpeg cmyk", fixture(t, "cmyk.jpg"), JPEG, 16, 16, 40, quadPixels(16, 16)},
		{"jpeg ycbcr 4:1:1", fixture(t, "ycbcr411.jpg"), JPEG, 32, 16, 40, quadPixels(32, 16)},
		{"webp lossless", fixture(t, "lossless.webp"), WebP, 4, 2, 0, []pixel{{0, 0, [3]int{255, 0, 0}}, {1, 0, [3]int{0, 255, 0}}, {2, 0, [3]int{0, 0, 255}}, {3, 0, [3]int{128, 128, 128}}, {3, 1, [3]int{255, 255, 255}}}},
		// Left half opaque blue, right half red at half alpha: alpha is ignored.
		{"webp lossy with alpha", fixture(t, "alpha.webp"), WebP, 16, 16, 40, []pixel{{3, 8, [3]int{0, 0, 255}}, {12, 8, [3]int{255, 0, 0}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, info, err := Decode(c.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if want := (Info{Format: c.format, Width: c.w, Height: c.h, Orientation: 1}); info != want || img.Bounds() != image.Rect(0, 0, c.w, c.h) {
				t.Fatalf("info %+v bounds %v, want %+v", info, img.Bounds(), want)
			}
			// Resampling to the same size is the identity: the tensor holds the pixels.
			px := make([]uint8, c.w*c.h*3)
			if _, err := ToUint8(img, Layout{c.w, c.h, Stretch}, px); err != nil {
				t.Fatal(err)
			}
			for _, p := range c.pixels {
				i := (p.y*c.w + p.x) * 3
				if got := [3]int{int(px[i]), int(px[i+1]), int(px[i+2])}; !near(got, p.rgb, c.tol) {
					t.Errorf("pixel (%d,%d) is %v, want %v", p.x, p.y, got, p.rgb)
				}
			}
		})
	}
}

func TestDecodePanoramaLetterbox(t *testing.T) {
	panorama := image.NewGray(image.Rect(0, 0, 8000, 100))
	for i := range panorama.Pix {
		panorama.Pix[i] = 180
	}
	img, _, err := Decode(encodePNG(t, panorama), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]uint8, 300*300*3)
	if _, err := ToUint8(img, Layout{300, 300, Letterbox}, dst); err != nil {
		t.Fatal(err)
	}
	// 100 rows scaled by 300/8000 are 3.75: 3 rows of content after floor((300-3.75)/2) = 148.
	for y := range 300 {
		want := uint8(0)
		if y >= 148 && y < 151 {
			want = 180
		}
		for i := y * 900; i < (y+1)*900; i++ {
			if dst[i] != want {
				t.Fatalf("row %d holds %d, want %d", y, dst[i], want)
			}
		}
	}
}

func TestDecodeGIFFrameInsideScreen(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{250, 10, 10, 255}}
	frame := image.NewPaletted(image.Rect(2, 3, 5, 5), pal)
	for i := range frame.Pix {
		frame.Pix[i] = 1
	}
	var b bytes.Buffer
	g := &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0}, Config: image.Config{ColorModel: pal, Width: 8, Height: 6}}
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	img, info, err := Decode(b.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 8 || info.Height != 6 || img.Bounds() != image.Rect(0, 0, 8, 6) {
		t.Fatalf("info %+v bounds %v, want the 8x6 screen", info, img.Bounds())
	}
	if got := rgb8(img, 3, 4); got != [3]int{250, 10, 10} {
		t.Errorf("frame pixel is %v", got)
	}
	if got := rgb8(img, 0, 0); got != [3]int{0, 0, 0} {
		t.Errorf("screen outside the frame is %v, want black", got)
	}
}

func TestDecodeRejects(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 'x'
	noise := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.UintN(256))
	}
	jpg := encodeJPEG(t, noise)
	smallPNG := encodePNG(t, noise)
	badCRC := append([]byte{}, smallPNG...)
	badCRC[30] ^= 0xff // inside IHDR's CRC
	arithmetic := bytes.Replace(jpg, []byte{0xff, 0xc0}, []byte{0xff, 0xc9}, 1)
	webpHeader := func(flags byte, w, h uint32) []byte {
		b := []byte("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00")
		b = append(b, flags, 0, 0, 0)
		b = append(b, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
		return b
	}
	gifHeader := append([]byte("GIF89a"), 0xff, 0xff, 0xff, 0xff, 0, 0, 0)

	cases := []struct {
		name string
		data []byte
		lim  Limits
		want error
		msg  string
	}{
		{"empty", nil, Limits{}, ErrBadImage, "empty"},
		{"random bytes", random, Limits{}, ErrBadImage, "not a JPEG"},
		{"JPEG magic then random bytes", append([]byte("\xff\xd8\xff"), random...), Limits{}, ErrBadImage, "jpeg"},
		{"JPEG cut in the scan", jpg[:len(jpg)/2], Limits{}, ErrBadImage, "jpeg"},
		{"JPEG cut in the header", jpg[:40], Limits{}, ErrBadImage, "jpeg"},
		{"PNG cut in the data", smallPNG[:len(smallPNG)-100], Limits{}, ErrBadImage, "png"},
		{"PNG with a bad CRC", badCRC, Limits{}, ErrBadImage, "png"},
		{"PNG of 0x0", testenv.PNGHeader(0, 0), Limits{}, ErrBadImage, "png"},
		{"PNG declaring 100000x100000", testenv.PNGHeader(100000, 100000), Limits{}, ErrTooLarge, "100000x100000 is 10000000000 pixels, limit 40000000"},
		{"GIF declaring 65535x65535", gifHeader, Limits{}, ErrTooLarge, "65535x65535"},
		{"WebP declaring 16384x16384", webpHeader(0, 16384, 16384), Limits{}, ErrTooLarge, "16384x16384"},
		{"over MaxPixels", smallPNG, Limits{MaxPixels: 64*64 - 1}, ErrTooLarge, "limit 4095"},
		{"over MaxBytes", smallPNG, Limits{MaxBytes: 100}, ErrTooLarge, "limit 100"},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), Limits{}, ErrUnsupportedFormat, "TIFF"},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), Limits{}, ErrUnsupportedFormat, "heic"},
		{"animated WebP", webpHeader(0x02, 8, 8), Limits{}, ErrUnsupportedFormat, "animated"},
		{"arithmetic-coded JPEG", arithmetic, Limits{}, ErrUnsupportedFormat, "jpeg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, info, err := Decode(c.data, c.lim)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want %v mentioning %q", err, c.want, c.msg)
			}
			if img != nil || info != (Info{}) {
				t.Errorf("got an image %T and %+v with the error", img, info)
			}
		})
	}
	if _, _, err := Decode(smallPNG, Limits{MaxPixels: 64 * 64, MaxBytes: int64(len(smallPNG))}); err != nil {
		t.Errorf("an image exactly at the limits: %v", err)
	}
}

// TestDecodeChecksSizeBeforeDecoding gives headers of huge images over little data: rejecting
// them must not allocate what decoding would.
func TestDecodeChecksSizeBeforeDecoding(t *testing.T) {
	jpg := encodeJPEG(t, greyImage(8, 8, make([]uint8, 64)...))
	sof := bytes.Index(jpg, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(jpg[sof+5:], 60000) // height
	binary.BigEndian.PutUint16(jpg[sof+7:], 60000) // width
	for name, data := range map[string][]byte{"png": testenv.PNGHeader(100000, 100000), "jpeg": jpg} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := Decode(data, Limits{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: %v, want ErrTooLarge", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: rejecting allocated %d bytes", name, n)
		}
	}
}

func TestReadLimited(t *testing.T) {
	lim := Limits{MaxBytes: 10}
	if got, err := ReadLimited(strings.NewReader("0123456789"), lim); err != nil || string(got) != "0123456789" {
		t.Errorf("10 bytes at a limit of 10: %q, %v", got, err)
	}
	if _, err := ReadLimited(strings.NewReader("0123456789A"), lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("11 bytes at a limit of 10: %v, want ErrTooLarge", err)
	}
	broken := errors.New("connection reset")
	if _, err := ReadLimited(iotest.ErrReader(broken), lim); !errors.Is(err, broken) {
		t.Errorf("failing reader: %v", err)
	}
}

func TestLimitsDefaults(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits {
		t.Errorf("zero limits became %+v", got)
	}
	if got := (Limits{MaxBytes: -1, MaxPixels: 5}).withDefaults(); got != (Limits{DefaultLimits.MaxBytes, 5}) {
		t.Errorf("partial limits became %+v", got)
	}
}

func TestDecodePhotos(t *testing.T) {
	cases := []struct {
		name   string
		format Format
		w, h   int
	}{
		{"burger.jpg", JPEG, 480, 325},
		{"airplane_airport_1280.jpg", JPEG, 1280, 1280},
		{"hands.jpg", JPEG, 720, 382}, // has an EXIF orientation of 1
		{"parrot.jpg", JPEG, 512, 929},
		{"person_squat.png", PNG, 500, 610},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(testenv.Image(t, c.name))
			if err != nil {
				t.Fatal(err)
			}
			_, info, err := Decode(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if want := (Info{Format: c.format, Width: c.w, Height: c.h, Orientation: 1}); info != want {
				t.Errorf("info %+v, want %+v", info, want)
			}
			for _, n := range []int{len(data) / 2, len(data) - 50} {
				if _, _, err := Decode(data[:n], Limits{}); !errors.Is(err, ErrBadImage) {
					t.Errorf("cut to %d bytes: %v, want ErrBadImage", n, err)
				}
			}
		})
	}
}
