package palm

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestLiteAnchors(t *testing.T) {
	a := Anchors(LiteAnchors)
	if len(a) != 2016 {
		t.Fatalf("%d anchors, want 2016 (24·24·2 + 12·12·6)", len(a))
	}
	// Stride 8: a 24x24 grid, 2 anchors per cell; strides 16 (three layers): 12x12, 6 per cell.
	cases := []struct {
		i    int
		x, y float64
	}{
		{0, 0.5 / 24, 0.5 / 24},
		{1, 0.5 / 24, 0.5 / 24},      // the cell's second anchor
		{2, 1.5 / 24, 0.5 / 24},      // next cell to the right
		{48, 0.5 / 24, 1.5 / 24},     // second row
		{1151, 23.5 / 24, 23.5 / 24}, // last of stride 8
		{1152, 0.5 / 12, 0.5 / 12},   // first of stride 16
		{1157, 0.5 / 12, 0.5 / 12},   // sixth anchor of that cell
		{1158, 1.5 / 12, 0.5 / 12},
		{2015, 11.5 / 12, 11.5 / 12},
	}
	for _, c := range cases {
		if !near(a[c.i].X, c.x, 1e-12) || !near(a[c.i].Y, c.y, 1e-12) {
			t.Errorf("anchor %d at (%v, %v), want (%v, %v)", c.i, a[c.i].X, a[c.i].Y, c.x, c.y)
		}
	}
}
