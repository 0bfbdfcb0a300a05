package preprocess

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// resampled returns the raw resampled values (mean 0, std 1) of one channel, and checks that
// the three channels agree (the images are grey) and that ToUint8 rounds them.
func resampled(t *testing.T, img image.Image, l Layout) ([]float32, Transform) {
	t.Helper()
	f := make([]float32, l.Width*l.Height*3)
	tf, err := ToFloat32(img, l, 0, 1, f)
	if err != nil {
		t.Fatal(err)
	}
	u := make([]uint8, len(f))
	tu, err := ToUint8(img, l, u)
	if err != nil {
		t.Fatal(err)
	}
	if tu != tf {
		t.Fatalf("ToUint8 transform %+v, ToFloat32 %+v", tu, tf)
	}
	out := make([]float32, len(f)/3)
	for i := range out {
		v := f[3*i]
		if f[3*i+1] != v || f[3*i+2] != v {
			t.Fatalf("pixel %d has channels %v", i, f[3*i:3*i+3])
		}
		if want := uint8(math.Floor(float64(v) + 0.5)); u[3*i] != want {
			t.Fatalf("pixel %d: ToUint8 gave %d for %v, want %d", i, u[3*i], v, want)
		}
		out[i] = v
	}
	return out, tf
}

// ramp is a w×h grey image whose pixel (x, y) is a*x + b*y.
func ramp(w, h, a, b int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*m.Stride+x] = uint8(a*x + b*y)
		}
	}
	return m
}

// The expected values follow tf.image.resize's bilinear kernel by hand: source index
// in = (i+0.5)*in/out - 0.5, the pixels floor(in) and ceil(in) clamped to the image, the weight
// in - floor(in); rows are interpolated horizontally first.
func TestResizeHandComputed(t *testing.T) {
	cases := []struct {
		name string
		img  image.Image
		l    Layout
		want []float32
	}{
		// in = 0.5 on both axes: the mean of the four, (10+20+30+41)/4.
		{"2x2 to 1x1", greyImage(2, 2, 10, 20, 30, 41), Layout{1, 1, Stretch}, []float32{25.25}},
		// in = 0.5 and 2.5: (0+100)/2, (200+50)/2.
		{"4x1 to 2x1", greyImage(4, 1, 0, 100, 200, 50), Layout{2, 1, Stretch}, []float32{50, 125}},
		// in = 0.25 and 1.75: 0 + 100/4, 100 + 100*3/4.
		{"3x1 to 2x1", greyImage(3, 1, 0, 100, 200), Layout{2, 1, Stretch}, []float32{25, 175}},
		// in = -0.25 (pixel 0 only), 0.25, 0.75, 1.25 (pixel 1 only) on both axes.
		{"2x2 to 4x4", greyImage(2, 2, 0, 80, 160, 240), Layout{4, 4, Stretch}, []float32{
			0, 20, 60, 80,
			40, 60, 100, 120,
			120, 140, 180, 200,
			160, 180, 220, 240,
		}},
		{"1x1 to 3x2", greyImage(1, 1, 77), Layout{3, 2, Stretch}, []float32{77, 77, 77, 77, 77, 77}},
		{"identity", greyImage(3, 2, 1, 2, 3, 4, 5, 6), Layout{3, 2, Stretch}, []float32{1, 2, 3, 4, 5, 6}},
		// Halves round up in ToUint8 (checked by resampled).
		{"rounding", greyImage(4, 1, 0, 1, 254, 255), Layout{2, 1, Stretch}, []float32{0.5, 254.5}},
		// 4x2 in 4x4: width-limited, height 4*2/4 = 2, padding (4-2)/2 = 1 above.
		{"4x2 letterboxed in 4x4", greyImage(4, 2, 1, 2, 3, 4, 5, 6, 7, 8), Layout{4, 4, Letterbox}, []float32{
			0, 0, 0, 0,
			1, 2, 3, 4,
			5, 6, 7, 8,
			0, 0, 0, 0,
		}},
		{"2x4 letterboxed in 4x4", greyImage(2, 4, 1, 2, 3, 4, 5, 6, 7, 8), Layout{4, 4, Letterbox}, []float32{
			0, 1, 2, 0,
			0, 3, 4, 0,
			0, 5, 6, 0,
			0, 7, 8, 0,
		}},
		// 6x2 in 4x4: height floor(2*4/6) = 1, padding floor((4 - 2*4/6)/2) = 1 above. On the
		// ramp 10x + 100y, in_y = 0.5 and in_x = 0.25, 1.75, 3.25, 4.75.
		{"6x2 letterboxed in 4x4", ramp(6, 2, 10, 100), Layout{4, 4, Letterbox}, []float32{
			0, 0, 0, 0,
			52.5, 67.5, 82.5, 97.5,
			0, 0, 0, 0,
			0, 0, 0, 0,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := resampled(t, c.img, c.l)
			for i := range c.want {
				if math.Abs(float64(got[i]-c.want[i])) > 1e-4 {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestTransform(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		l    Layout
		want Transform
	}{
		{"stretch", 4, 2, Layout{2, 2, Stretch}, Transform{2, 1, 0, 0}},
		{"letterbox wide", 6, 2, Layout{4, 4, Letterbox}, Transform{1.5, 2, 0, 1}},
		{"letterbox tall", 2, 4, Layout{4, 4, Letterbox}, Transform{1, 1, 1, 0}},
		// resize_with_pad: 480/(640/300) = 225 rows, floor((300-225)/2) = 37 above.
		{"640x480 in 300x300", 640, 480, Layout{300, 300, Letterbox}, Transform{640.0 / 300, 480.0 / 225, 0, 37}},
		// 100/(8000/300) = 3.75: 3 rows, floor((300-3.75)/2) = 148 above.
		{"8000x100 in 300x300", 8000, 100, Layout{300, 300, Letterbox}, Transform{8000.0 / 300, 100.0 / 3, 0, 148}},
		// 1 column would be 1/600 wide: at least one pixel, centred.
		{"1x600 in 4x4", 1, 600, Layout{4, 4, Letterbox}, Transform{1, 150, 1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got := resampled(t, image.NewGray(image.Rect(0, 0, c.w, c.h)), c.l)
			if !closeTo(got.ScaleX, c.want.ScaleX) || !closeTo(got.ScaleY, c.want.ScaleY) || got.OffsetX != c.want.OffsetX || got.OffsetY != c.want.OffsetY {
				t.Fatalf("transform %+v, want %+v", got, c.want)
			}
			// The content's corners are the image's corners.
			cw, ch := float64(c.w)/got.ScaleX, float64(c.h)/got.ScaleY
			if x, y := got.ToSource(got.OffsetX, got.OffsetY); !closeTo(x, 0) || !closeTo(y, 0) {
				t.Errorf("content top-left maps to (%v,%v)", x, y)
			}
			if x, y := got.ToSource(got.OffsetX+cw, got.OffsetY+ch); !closeTo(x, float64(c.w)) || !closeTo(y, float64(c.h)) {
				t.Errorf("content bottom-right maps to (%v,%v), want (%d,%d)", x, y, c.w, c.h)
			}
			for _, p := range [][2]float64{{0, 0}, {1.5, 2.25}, {float64(c.l.Width), float64(c.l.Height)}, {-3, 7}} {
				sx, sy := got.ToSource(p[0], p[1])
				if x, y := got.ToTensor(sx, sy); !closeTo(x, p[0]) || !closeTo(y, p[1]) {
					t.Errorf("round trip of %v gave (%v,%v)", p, x, y)
				}
			}
		})
	}
}

// TestTransformMatchesSampling checks that the centre of every tensor pixel maps to the source
// point it was sampled at: on a ramp, bilinear sampling at a point gives the ramp's value there.
func TestTransformMatchesSampling(t *testing.T) {
	img := ramp(40, 30, 2, 3) // a downscale never clamps, so every sample is on the ramp
	for _, l := range []Layout{{17, 13, Stretch}, {17, 13, Letterbox}, {9, 20, Letterbox}} {
		got, tr := resampled(t, img, l)
		for ty := range l.Height {
			for tx := range l.Width {
				sx, sy := tr.ToSource(float64(tx)+0.5, float64(ty)+0.5)
				want := 0.0
				if sx >= 0 && sy >= 0 && sx <= 40 && sy <= 30 {
					want = 2*(sx-0.5) + 3*(sy-0.5) // pixel (i, j) has its centre at (i+0.5, j+0.5)
				}
				if v := float64(got[ty*l.Width+tx]); math.Abs(v-want) > 1e-3 {
					t.Fatalf("%+v: tensor (%d,%d) is %v, source point (%v,%v) has %v", l, tx, ty, v, sx, sy, want)
				}
			}
		}
	}
}

func TestToFloat32Normalises(t *testing.T) {
	// 2x1 in 2x2 letterboxed: the content is the top row, the bottom row is black padding.
	img := greyImage(2, 1, 0, 255)
	dst := make([]float32, 2*2*3)
	if _, err := ToFloat32(img, Layout{2, 2, Letterbox}, 100, 2, dst); err != nil {
		t.Fatal(err)
	}
	want := []float32{-50, -50, -50, 77.5, 77.5, 77.5, -50, -50, -50, -50, -50, -50}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("got %v, want %v", dst, want)
		}
	}
}

func TestChannelOrderAndAlpha(t *testing.T) {
	// A fully transparent pixel keeps its stored colour: alpha is ignored.
	img := &image.NRGBA{Pix: []uint8{10, 20, 30, 0}, Stride: 4, Rect: image.Rect(0, 0, 1, 1)}
	dst := make([]uint8, 2*3*3)
	if _, err := ToUint8(img, Layout{2, 3, Stretch}, dst); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(dst); i += 3 {
		if dst[i] != 10 || dst[i+1] != 20 || dst[i+2] != 30 {
			t.Fatalf("got %v, want RGB 10,20,30 everywhere", dst)
		}
	}
}

func TestTensorErrors(t *testing.T) {
	img := greyImage(1, 1, 0)
	cases := []struct {
		name string
		img  image.Image
		l    Layout
		n    int
		mean float32
		std  float32
		want error
	}{
		{"zero width", img, Layout{0, 4, Stretch}, 0, 0, 1, ErrBadLayout},
		{"negative height", img, Layout{4, -4, Stretch}, 48, 0, 1, ErrBadLayout},
		{"too wide", img, Layout{MaxSide + 1, 1, Stretch}, (MaxSide + 1) * 3, 0, 1, ErrBadLayout},
		{"unknown fit", img, Layout{2, 2, Fit(7)}, 12, 0, 1, ErrBadLayout},
		{"short destination", img, Layout{2, 2, Stretch}, 11, 0, 1, ErrBadLayout},
		{"long destination", img, Layout{2, 2, Stretch}, 13, 0, 1, ErrBadLayout},
		{"zero std", img, Layout{2, 2, Stretch}, 12, 0, 0, ErrBadLayout},
		{"NaN mean", img, Layout{2, 2, Stretch}, 12, float32(math.NaN()), 1, ErrBadLayout},
		{"infinite std", img, Layout{2, 2, Stretch}, 12, 0, float32(math.Inf(1)), ErrBadLayout},
		{"nil image", nil, Layout{2, 2, Stretch}, 12, 0, 1, ErrBadImage},
		{"empty image", image.NewRGBA(image.Rect(3, 3, 3, 9)), Layout{2, 2, Stretch}, 12, 0, 1, ErrBadImage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ToFloat32(c.img, c.l, c.mean, c.std, make([]float32, c.n)); !errors.Is(err, c.want) {
				t.Errorf("ToFloat32: %v, want %v", err, c.want)
			}
			if c.std == 1 && c.mean == 0 {
				if _, err := ToUint8(c.img, c.l, make([]uint8, c.n)); !errors.Is(err, c.want) {
					t.Errorf("ToUint8: %v, want %v", err, c.want)
				}
			}
		})
	}
}

// TestFastPathsMatchFormula resamples every pixel type and compares with a direct evaluation of
// the kernel through At.
func TestFastPathsMatchFormula(t *testing.T) {
	layouts := []Layout{{13, 9, Stretch}, {80, 50, Letterbox}, {5, 40, Letterbox}, {37, 23, Stretch}}
	for name, img := range testImages() {
		for _, l := range layouts {
			got := make([]float32, l.Width*l.Height*3)
			if _, err := ToFloat32(img, l, 0, 1, got); err != nil {
				t.Fatal(err)
			}
			u := make([]uint8, len(got))
			if _, err := ToUint8(img, l, u); err != nil {
				t.Fatal(err)
			}
			want := reference(img, l)
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 0.02 || math.Abs(float64(u[i])-want[i]) > 0.52 {
					t.Fatalf("%s %+v: element %d is %v (uint8 %d), formula gives %v", name, l, i, got[i], u[i], want[i])
				}
			}
		}
	}
}

func TestPhotoMatchesFormula(t *testing.T) {
	data, err := os.ReadFile(testenv.Image(t, "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := Decode(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []Layout{{224, 224, Stretch}, {300, 200, Letterbox}} {
		got := make([]float32, l.Width*l.Height*3)
		if _, err := ToFloat32(img, l, 0, 1, got); err != nil {
			t.Fatal(err)
		}
		for i, v := range reference(img, l) {
			if math.Abs(float64(got[i])-v) > 0.02 {
				t.Fatalf("%+v: element %d is %v, formula gives %v", l, i, got[i], v)
			}
		}
	}
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	dst := make([]uint8, 224*224*3)
	for name, img := range map[string]image.Image{
		"ycbcr":       randomYCbCr(320, 240, image.YCbCrSubsampleRatio420, 3),
		"gray":        image.NewGray(image.Rect(0, 0, 320, 240)),
		"rgba":        image.NewRGBA(image.Rect(0, 0, 320, 240)),
		"opaque rgba": opaqueRGBA(320, 240),
	} {
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := ToUint8(img, Layout{224, 224, Letterbox}, dst); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per call", name, allocs)
		}
	}
}

// TestCompiledMatchesGo resamples photos as libjpeg-turbo decodes them (opaque RGBA, package
// bilinear's fast path) and the same pixels as NRGBA (the Go kernel), and wants the same bits.
func TestCompiledMatchesGo(t *testing.T) {
	layouts := []Layout{{300, 300, Stretch}, {224, 224, Stretch}, {257, 193, Letterbox}, {192, 256, Letterbox}, {1500, 900, Stretch}, {1, 1, Stretch}}
	for _, name := range []string{"airplane_airport_1280.jpg", "burger.jpg", "hands.jpg"} {
		data, err := os.ReadFile(testenv.Image(t, name))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := Decode(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		rgba, ok := img.(*image.RGBA)
		if !ok {
			t.Fatalf("%s decodes to %T, want *image.RGBA (libjpeg-turbo)", name, img)
		}
		nrgba := &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect} // opaque: same colours
		for _, l := range layouts {
			n := l.Width * l.Height * 3
			fast, slow := make([]uint8, n), make([]uint8, n)
			mustResize(t, func() error { _, err := ToUint8(rgba, l, fast); return err })
			mustResize(t, func() error { _, err := ToUint8(nrgba, l, slow); return err })
			if i := firstDifference(fast, slow); i >= 0 {
				t.Fatalf("%s %+v uint8: element %d is %d, the Go kernel gives %d", name, l, i, fast[i], slow[i])
			}
			fastF, slowF := make([]float32, n), make([]float32, n)
			mustResize(t, func() error { _, err := ToFloat32(rgba, l, 127.5, 127.5, fastF); return err })
			mustResize(t, func() error { _, err := ToFloat32(nrgba, l, 127.5, 127.5, slowF); return err })
			if i := firstDifference(fastF, slowF); i >= 0 {
				t.Fatalf("%s %+v float32: element %d is %v, the Go kernel gives %v", name, l, i, fastF[i], slowF[i])
			}
		}
	}
}

func mustResize(t *testing.T, resize func() error) {
	t.Helper()
	if err := resize(); err != nil {
		t.Fatal(err)
	}
}

// firstDifference is the first index where a and b differ bit for bit, or -1.
func firstDifference[T uint8 | float32](a, b []T) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func opaqueRGBA(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
		if i%4 == 3 {
			m.Pix[i] = 0xff
		}
	}
	return m
}

func TestYCbCrConversionIsJFIF(t *testing.T) {
	for y := range 256 {
		for cb := range 256 {
			for cr := range 256 {
				r, g, b := ycc(uint8(y), uint8(cb), uint8(cr))
				wr, wg, wb := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if r != float32(wr) || g != float32(wg) || b != float32(wb) {
					t.Fatalf("YCbCr %d,%d,%d: got %v,%v,%v, want %d,%d,%d", y, cb, cr, r, g, b, wr, wg, wb)
				}
			}
		}
	}
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b))
}

// reference evaluates the bilinear kernel for every tensor element directly, in float64,
// reading pixels through At.
func reference(img image.Image, l Layout) []float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// The letterbox rectangle, as resize_with_pad computes it.
	cx, cy, cw, ch := 0, 0, l.Width, l.Height
	if l.Fit == Letterbox {
		ratio := math.Max(float64(w)/float64(l.Width), float64(h)/float64(l.Height))
		fw, fh := float64(w)/ratio, float64(h)/ratio
		cw, ch = max(int(math.Floor(fw+1e-9)), 1), max(int(math.Floor(fh+1e-9)), 1)
		cx, cy = max(int(math.Floor((float64(l.Width)-fw)/2+1e-9)), 0), max(int(math.Floor((float64(l.Height)-fh)/2+1e-9)), 0)
	}
	sample := func(i, in, out int) (lo, hi int, wt float64) {
		f := (float64(i)+0.5)*float64(in)/float64(out) - 0.5
		fl := math.Floor(f)
		return max(int(fl), 0), min(int(math.Ceil(f)), in-1), f - fl
	}
	out := make([]float64, l.Width*l.Height*3)
	for ty := range ch {
		y0, y1, wy := sample(ty, h, ch)
		for tx := range cw {
			x0, x1, wx := sample(tx, w, cw)
			p00, p01 := refPixel(img, b.Min.X+x0, b.Min.Y+y0), refPixel(img, b.Min.X+x1, b.Min.Y+y0)
			p10, p11 := refPixel(img, b.Min.X+x0, b.Min.Y+y1), refPixel(img, b.Min.X+x1, b.Min.Y+y1)
			for c := range 3 {
				top := p00[c] + (p01[c]-p00[c])*wx
				bot := p10[c] + (p11[c]-p10[c])*wx
				out[((cy+ty)*l.Width+cx+tx)*3+c] = top + (bot-top)*wy
			}
		}
	}
	return out
}

// refPixel is a pixel's straight colour in 0–255: JFIF conversion for YCbCr, alpha ignored.
func refPixel(img image.Image, x, y int) [3]float64 {
	switch c := img.At(x, y).(type) {
	case color.YCbCr:
		r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return [3]float64{float64(r), float64(g), float64(b)}
	case color.NYCbCrA:
		r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return [3]float64{float64(r), float64(g), float64(b)}
	case color.NRGBA:
		return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	case color.NRGBA64:
		return [3]float64{float64(c.R) / 257, float64(c.G) / 257, float64(c.B) / 257}
	default:
		n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
		return [3]float64{float64(n.R) / 257, float64(n.G) / 257, float64(n.B) / 257}
	}
}

// plainImage hides every method but image.Image's, as third-party image types do.
type plainImage struct{ m image.Image }

func (p plainImage) ColorModel() color.Model { return p.m.ColorModel() }
func (p plainImage) Bounds() image.Rectangle { return p.m.Bounds() }
func (p plainImage) At(x, y int) color.Color { return p.m.At(x, y) }

func randomYCbCr(w, h int, ratio image.YCbCrSubsampleRatio, seed uint64) *image.YCbCr {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
		for i := range p {
			p[i] = uint8(rng.IntN(256))
		}
	}
	return m
}

// testImages has a random image of every pixel type, some with bounds not at the origin.
func testImages() map[string]image.Image {
	rng := rand.New(rand.NewPCG(1, 2))
	r := image.Rect(0, 0, 37, 23)
	fill := func(p []uint8) {
		for i := range p {
			p[i] = uint8(rng.IntN(256))
		}
	}
	imgs := map[string]image.Image{}
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := randomYCbCr(40, 30, ratio, uint64(ratio))
		imgs["ycbcr "+ratio.String()] = m
		imgs["ycbcr sub "+ratio.String()] = m.SubImage(image.Rect(3, 5, 40, 28))
	}
	nycbcra := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
	fill(nycbcra.Y)
	fill(nycbcra.Cb)
	fill(nycbcra.Cr)
	fill(nycbcra.A)
	imgs["nycbcra"] = nycbcra

	rgba := image.NewRGBA(r)
	for i := 0; i < len(rgba.Pix); i += 4 {
		a := []int{0, 255, rng.IntN(256)}[rng.IntN(3)]
		for k := range 3 {
			rgba.Pix[i+k] = uint8(rng.IntN(a + 1))
		}
		rgba.Pix[i+3] = uint8(a)
	}
	imgs["rgba"] = rgba
	imgs["rgba sub"] = rgba.SubImage(image.Rect(1, 2, 30, 20))
	opaque := image.NewRGBA(r) // package bilinear's fast path
	fill(opaque.Pix)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 0xff
	}
	imgs["rgba opaque"] = opaque
	imgs["rgba opaque sub"] = opaque.SubImage(image.Rect(4, 3, 33, 21))
	rgba64 := image.NewRGBA64(r)
	for x := range 37 {
		for y := range 23 {
			a := uint16(rng.IntN(65536))
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), a})
		}
	}
	imgs["rgba64"] = rgba64

	nrgba := image.NewNRGBA(r)
	fill(nrgba.Pix)
	imgs["nrgba"] = nrgba
	imgs["nrgba sub"] = nrgba.SubImage(image.Rect(2, 1, 37, 23))
	imgs["plain nrgba"] = plainImage{nrgba}
	nrgba64 := image.NewNRGBA64(r)
	fill(nrgba64.Pix)
	imgs["nrgba64"] = nrgba64
	gray := image.NewGray(r)
	fill(gray.Pix)
	imgs["gray"] = gray
	imgs["gray sub"] = gray.SubImage(image.Rect(5, 5, 20, 20))
	gray16 := image.NewGray16(r)
	fill(gray16.Pix)
	imgs["gray16"] = gray16
	cmyk := image.NewCMYK(r)
	fill(cmyk.Pix)
	imgs["cmyk"] = cmyk

	var pal color.Palette
	for i := range 200 {
		if i%2 == 0 {
			pal = append(pal, color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))})
		} else {
			pal = append(pal, color.RGBA{uint8(i), uint8(i / 2), uint8(i / 3), 255})
		}
	}
	paletted := image.NewPaletted(r, pal)
	for i := range paletted.Pix {
		paletted.Pix[i] = uint8(rng.IntN(len(pal)))
	}
	imgs["paletted"] = paletted
	return imgs
}
