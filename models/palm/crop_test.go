package palm

import (
	"errors"
	"image"
	"image/color"
	"math"
	"testing"
)

func TestCropMapping(t *testing.T) {
	upright := Crop{Rect: Rect{CX: 100, CY: 50, W: 224, H: 224}, Size: 224}
	turned := Crop{Rect: Rect{CX: 100, CY: 50, W: 448, H: 448, Angle: math.Pi / 2}, Size: 224}
	cases := []struct {
		name       string
		c          Crop
		u, v, x, y float64
	}{
		{"upright corner", upright, 0, 0, -12, -62},
		{"upright centre", upright, 112, 112, 100, 50},
		{"upright far corner", upright, 224, 224, 212, 162},
		// Turned a quarter clockwise, twice the scale: the crop's x axis points down the image.
		{"turned centre", turned, 112, 112, 100, 50},
		{"turned right edge", turned, 224, 112, 100, 274},
		{"turned top edge", turned, 112, 0, 324, 50},
	}
	for _, c := range cases {
		x, y := c.c.ToSource(c.u, c.v)
		if !near(x, c.x, 1e-9) || !near(y, c.y, 1e-9) {
			t.Errorf("%s: (%v, %v) → (%v, %v), want (%v, %v)", c.name, c.u, c.v, x, y, c.x, c.y)
		}
	}
	odd := Crop{Rect: Rect{CX: 321.5, CY: -17, W: 150, H: 90, Angle: 2.3}, Size: 224}
	for _, c := range []Crop{upright, turned, odd} {
		for _, p := range [][2]float64{{0, 0}, {17.25, 200}, {224, 3}, {-40, 300}} {
			x, y := c.ToSource(p[0], p[1])
			u, v := c.ToCrop(x, y)
			if !near(u, p[0], 1e-9) || !near(v, p[1], 1e-9) {
				t.Errorf("%+v: %v → (%v, %v) → (%v, %v)", c.Rect, p, x, y, u, v)
			}
		}
	}
	// z: divided by the crop size and 0.4, times the rectangle width: 10/224/0.4·448 = 50.
	if l := turned.Landmark(224, 112, 10); !near(l[0], 100, 1e-9) || !near(l[1], 274, 1e-9) || !near(l[2], 50, 1e-9) {
		t.Errorf("landmark %v, want (100, 274, 50)", l)
	}
}

// ramp is an 8x8 grey image whose pixel (x, y) is x + 10y.
func ramp() *image.Gray {
	m := image.NewGray(image.Rect(0, 0, 8, 8))
	for y := range 8 {
		for x := range 8 {
			m.Pix[y*m.Stride+x] = uint8(x + 10*y)
		}
	}
	return m
}

func sampleT(t *testing.T, img image.Image, c Crop) []float32 {
	t.Helper()
	dst := make([]float32, c.Size*c.Size*3)
	if err := Sample(img, c.Affine(), c.Size, 0, 1, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestSampleAxisAlignedAndTurned(t *testing.T) {
	img := ramp()
	same := sampleT(t, img, Crop{Rect: Rect{CX: 4, CY: 4, W: 8, H: 8}, Size: 8})
	// A quarter turn clockwise: crop pixel (i, j) shows source pixel (7-j, i).
	turned := sampleT(t, img, Crop{Rect: Rect{CX: 4, CY: 4, W: 8, H: 8, Angle: math.Pi / 2}, Size: 8})
	for j := range 8 {
		for i := range 8 {
			k := (j*8 + i) * 3
			if want := float32(i + 10*j); !near(float64(same[k]), float64(want), 1e-4) || same[k+1] != same[k] || same[k+2] != same[k] {
				t.Errorf("same (%d, %d) = %v, want %v in every channel", i, j, same[k:k+3], want)
			}
			if want := float32(7 - j + 10*i); !near(float64(turned[k]), float64(want), 1e-4) {
				t.Errorf("turned (%d, %d) = %v, want %v", i, j, turned[k], want)
			}
		}
	}
}

func TestSampleInterpolatesAndRepeatsBorder(t *testing.T) {
	// A 16-px square on the 8x8 image, 2 source pixels per crop pixel: crop pixel i's centre
	// is source x = 2i - 3, pixel-centre coordinate 2i - 3.5.
	got := sampleT(t, ramp(), Crop{Rect: Rect{CX: 4, CY: 4, W: 16, H: 16}, Size: 8})
	at := func(i, j int) float32 { return got[(j*8+i)*3] }
	cases := []struct {
		i, j int
		want float32
	}{
		{0, 0, 0},            // outside the top-left corner: pixel (0, 0)
		{3, 0, 2.5},          // halfway between x = 2 and 3, top row repeated
		{3, 3, 2.5 + 10*2.5}, // halfway in both directions
		{7, 7, 7 + 10*7},     // outside the bottom-right corner: pixel (7, 7)
		{7, 2, 7 + 10*0.5},   // right border repeated, halfway between rows 0 and 1
	}
	for _, c := range cases {
		if v := at(c.i, c.j); !near(float64(v), float64(c.want), 1e-4) {
			t.Errorf("crop (%d, %d) = %v, want %v", c.i, c.j, v, c.want)
		}
	}
}

// plain hides an image's concrete type, so Sample reads it through At.
type plain struct{ image.Image }

func TestSampleFastPathsMatchAt(t *testing.T) {
	r := image.Rect(3, 5, 40, 30)
	rgba, nrgba, gray := image.NewRGBA(r), image.NewNRGBA(r), image.NewGray(r)
	images := map[string]image.Image{"RGBA": rgba, "NRGBA": nrgba, "Gray": gray}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBA{uint8(7 * x), uint8(11 * y), uint8(x * y), uint8(128 + x)}
			rgba.Set(x, y, c)
			nrgba.Set(x, y, c)
			gray.Set(x, y, c)
		}
	}
	ratios := map[string]image.YCbCrSubsampleRatio{"444": image.YCbCrSubsampleRatio444, "422": image.YCbCrSubsampleRatio422,
		"420": image.YCbCrSubsampleRatio420, "440": image.YCbCrSubsampleRatio440, "411": image.YCbCrSubsampleRatio411, "410": image.YCbCrSubsampleRatio410}
	for name, ratio := range ratios {
		images["YCbCr "+name] = ycbcr(r, ratio)
		images["YCbCr "+name+" at negative bounds"] = ycbcr(r.Sub(image.Pt(9, 11)), ratio)
	}
	c := Crop{Rect: Rect{CX: 18, CY: 12, W: 30, H: 30, Angle: 0.7}, Size: 24}
	for name, img := range images {
		fast, slow := sampleT(t, img, c), sampleT(t, plain{img}, c)
		for k := range fast {
			// RGBA un-premultiplies from 8 bits, At from 16: allow a little rounding.
			if !near(float64(fast[k]), float64(slow[k]), 1.0) {
				t.Errorf("%s: value %d is %v, through At %v", name, k, fast[k], slow[k])
				break
			}
		}
	}
}

// ycbcr returns a YCbCr image over r with a pattern in all three planes.
func ycbcr(r image.Rectangle, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	m := image.NewYCbCr(r, ratio)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			m.Y[m.YOffset(x, y)] = uint8(5 * (x + y))
			m.Cb[m.COffset(x, y)] = uint8(9 * x)
			m.Cr[m.COffset(x, y)] = uint8(200 - 3*y)
		}
	}
	return m
}

func TestSampleScaled(t *testing.T) {
	// The ramp stands for a source twice its size: a crop of the source's (0, 0)-(16, 16)
	// square, scaled by one half, reads the whole ramp.
	c := Crop{Rect: Rect{CX: 8, CY: 8, W: 16, H: 16}, Size: 8}
	dst := make([]float32, 8*8*3)
	if err := Sample(ramp(), c.Affine().Scale(0.5, 0.5), c.Size, 0, 1, dst); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < len(dst); k += 3 {
		i, j := k/3%8, k/3/8
		if want := float32(i + 10*j); !near(float64(dst[k]), float64(want), 1e-4) {
			t.Fatalf("crop (%d, %d) = %v, want %v", i, j, dst[k], want)
		}
	}
}

func TestSampleRejects(t *testing.T) {
	good := Crop{Rect: Rect{CX: 4, CY: 4, W: 8, H: 8}, Size: 8}.Affine()
	dst := make([]float32, 8*8*3)
	cases := []struct {
		name string
		img  image.Image
		a    Affine
		size int
		std  float32
		dst  []float32
	}{
		{"short tensor", ramp(), good, 8, 1, dst[1:]},
		{"empty image", image.NewGray(image.Rect(0, 0, 0, 0)), good, 8, 1, dst},
		{"nil image", nil, good, 8, 1, dst},
		{"zero std", ramp(), good, 8, 0, dst},
		{"NaN map", ramp(), Crop{Rect: Rect{CX: math.NaN(), W: 8, H: 8}, Size: 8}.Affine(), 8, 1, dst},
		{"infinite map", ramp(), good.Scale(math.Inf(1), 1), 8, 1, dst},
		{"no size", ramp(), good, 0, 1, nil},
	}
	for _, c := range cases {
		if err := Sample(c.img, c.a, c.size, 0, c.std, c.dst); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err %v, want ErrBadInput", c.name, err)
		}
	}
}
