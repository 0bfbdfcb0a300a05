//go:build cgo

package bilinear

import (
	"slices"
	"testing"
)

// square is a 2×2 opaque image, one pixel of padding at the end of each row:
//
//	(0,0,0)    (100,200,40)
//	(20,20,20) (60,100,0)
func square() Source {
	return Source{Pix: []byte{
		0, 0, 0, 255, 100, 200, 40, 255, 9, 9, 9, 9,
		20, 20, 20, 255, 60, 100, 0, 255, 9, 9, 9, 9,
	}, Stride: 12, Width: 2, Height: 2}
}

// One tensor pixel between all four, a quarter of the way right and half way down: the top
// row gives (25, 50, 10), the bottom (30, 40, 15), and half way between them (27.5, 45, 12.5).
var (
	quarter = Axis{Lo: []int32{0}, Hi: []int32{1}, W: []float32{0.25}}
	half    = Axis{Lo: []int32{0}, Hi: []int32{1}, W: []float32{0.5}}
)

func TestHandComputed(t *testing.T) {
	u := make([]uint8, 3)
	if !Uint8(square(), quarter, half, u, 3) {
		t.Fatal("Uint8 refused a valid resampling")
	}
	if want := []uint8{28, 45, 13}; !slices.Equal(u, want) { // halves round up
		t.Errorf("Uint8 gives %v, want %v", u, want)
	}
	f := make([]float32, 3)
	if !Float32(square(), quarter, half, 10, 2, f, 3) {
		t.Fatal("Float32 refused a valid resampling")
	}
	if want := []float32{8.75, 17.5, 1.25}; !slices.Equal(f, want) { // (v-10)/2
		t.Errorf("Float32 gives %v, want %v", f, want)
	}
}

func TestRowsAndStride(t *testing.T) {
	// Two tensor rows of two pixels, 8 values apart: row 0 is the top source row sampled at
	// both columns, row 1 the bottom one; the two values between the rows stay untouched.
	x := Axis{Lo: []int32{0, 1}, Hi: []int32{0, 1}, W: []float32{0, 0}}
	y := Axis{Lo: []int32{0, 1}, Hi: []int32{0, 1}, W: []float32{0, 0}}
	dst := slices.Repeat([]uint8{7}, 14)
	if !Uint8(square(), x, y, dst, 8) {
		t.Fatal("Uint8 refused a valid resampling")
	}
	want := []uint8{0, 0, 0, 100, 200, 40, 7, 7, 20, 20, 20, 60, 100, 0}
	if !slices.Equal(dst, want) {
		t.Errorf("got %v, want %v", dst, want)
	}
}

func TestRefuses(t *testing.T) {
	translucent := square()
	translucent.Pix[19] = 254 // the bottom-right pixel, which the kernel samples
	short := square()
	short.Pix = short.Pix[:19]
	for _, c := range []struct {
		name string
		src  Source
		x, y Axis
		n    int
	}{
		{"translucent sampled pixel", translucent, quarter, half, 3},
		{"pixels shorter than the image", short, quarter, half, 3},
		{"column outside the image", square(), Axis{Lo: []int32{0}, Hi: []int32{2}, W: []float32{0}}, half, 3},
		{"negative row", square(), quarter, Axis{Lo: []int32{-1}, Hi: []int32{0}, W: []float32{0}}, 3},
		{"axis lengths differ", square(), Axis{Lo: []int32{0, 1}, Hi: []int32{1}, W: []float32{0.5}}, half, 3},
		{"empty axis", square(), Axis{}, half, 3},
		{"destination too short", square(), quarter, half, 2},
		{"empty image", Source{Pix: []byte{1}, Stride: 4}, quarter, half, 3},
	} {
		if Uint8(c.src, c.x, c.y, make([]uint8, c.n), 3) {
			t.Errorf("%s: Uint8 accepted it", c.name)
		}
		if Float32(c.src, c.x, c.y, 0, 1, make([]float32, c.n), 3) {
			t.Errorf("%s: Float32 accepted it", c.name)
		}
	}
}
