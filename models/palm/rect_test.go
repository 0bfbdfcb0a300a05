package palm

import (
	"math"
	"testing"
)

func TestRotation(t *testing.T) {
	cases := []struct {
		name          string
		wrist, middle Point
		want          float64
	}{
		{"fingers up", Point{100, 200}, Point{100, 100}, 0},
		{"fingers right", Point{0, 0}, Point{10, 0}, math.Pi / 2},
		{"fingers left", Point{10, 0}, Point{0, 0}, -math.Pi / 2},
		{"fingers down", Point{0, 0}, Point{0, 10}, -math.Pi},
		{"fingers up and right", Point{0, 10}, Point{10, 0}, math.Pi / 4},
		{"fingers up and left", Point{10, 10}, Point{0, 0}, -math.Pi / 4},
	}
	for _, c := range cases {
		if got := Rotation(c.wrist, c.middle); !near(got, c.want, 1e-12) {
			t.Errorf("%s: %v rad, want %v", c.name, got, c.want)
		}
	}
}

func TestHandRect(t *testing.T) {
	// Fingers up: a 20x40 palm box centred at (100, 120) moves 20 px up (half its height)
	// and grows to a 104-px square (40 · 2.6).
	up := Detection{Box: Box{XMin: 90, YMin: 100, XMax: 110, YMax: 140}}
	up.Keypoints[Wrist], up.Keypoints[MiddleMCP] = Point{100, 140}, Point{100, 105}
	// Fingers right: a 40x20 box centred at (120, 100) moves half its height (10 px) along
	// the rectangle's up axis, which points right on the image.
	right := Detection{Box: Box{XMin: 100, YMin: 90, XMax: 140, YMax: 110}}
	right.Keypoints[Wrist], right.Keypoints[MiddleMCP] = Point{100, 100}, Point{135, 100}
	cases := []struct {
		name string
		d    Detection
		want Rect
	}{
		{"up", up, Rect{CX: 100, CY: 100, W: 104, H: 104, Angle: 0}},
		{"right", right, Rect{CX: 130, CY: 100, W: 104, H: 104, Angle: math.Pi / 2}},
	}
	for _, c := range cases {
		got := HandRect(c.d)
		if !near(got.CX, c.want.CX, 1e-9) || !near(got.CY, c.want.CY, 1e-9) || !near(got.W, c.want.W, 1e-9) ||
			!near(got.H, c.want.H, 1e-9) || !near(got.Angle, c.want.Angle, 1e-12) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
