package ssd

import (
	"math"
	"testing"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 }

func nearBox(a, b Box) bool {
	return near(a.YMin, b.YMin) && near(a.XMin, b.XMin) && near(a.YMax, b.YMax) && near(a.XMax, b.XMax)
}

func TestDecode(t *testing.T) {
	opts := Options{YScale: 10, XScale: 10, HScale: 5, WScale: 5}
	tests := []struct {
		name        string
		enc, anchor []float32
		want        Box
	}{
		{
			// Zero encodings give the anchor itself: centre (0.5, 0.5), size 0.2 x 0.4.
			name: "identity", enc: []float32{0, 0, 0, 0}, anchor: []float32{0.5, 0.5, 0.2, 0.4},
			want: Box{YMin: 0.4, XMin: 0.3, YMax: 0.6, XMax: 0.7},
		},
		{
			// ycenter = 1/10*0.2 + 0.5 = 0.52      half h = 0.5*exp(0/5)*0.2 = 0.1
			// xcenter = -2/10*0.4 + 0.5 = 0.42     half w = 0.5*exp(5ln2/5)*0.4 = 0.5*2*0.4 = 0.4
			name: "shifted and widened", enc: []float32{1, -2, 0, float32(5 * math.Ln2)},
			anchor: []float32{0.5, 0.5, 0.2, 0.4},
			want:   Box{YMin: 0.42, XMin: 0.02, YMax: 0.62, XMax: 0.82},
		},
		{
			// ycenter = 0.25, half h = 0.5*exp(-5ln2/5)*0.5 = 0.5*0.5*0.5 = 0.125
			// xcenter = 10/10*0.1 + 0.75 = 0.85, half w = 0.5*exp(0)*0.1 = 0.05
			name: "shrunk", enc: []float32{0, 10, float32(-5 * math.Ln2), 0},
			anchor: []float32{0.25, 0.75, 0.5, 0.1},
			want:   Box{YMin: 0.125, XMin: 0.8, YMax: 0.375, XMax: 0.9},
		},
	}
	for _, tc := range tests {
		if got := decode(tc.enc, tc.anchor, &opts); !nearBox(got, tc.want) {
			t.Errorf("%s: decode = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestIoU(t *testing.T) {
	unit := Box{0, 0, 1, 1}
	tests := []struct {
		name string
		a, b Box
		want float32
	}{
		{"equal", unit, unit, 1},
		{"disjoint", unit, Box{2, 2, 3, 3}, 0},
		{"touching edges", unit, Box{0, 1, 1, 2}, 0},
		// intersection 1 x 0.5 = 0.5, union 1 + 1 - 0.5 = 1.5
		{"half shifted", unit, Box{0, 0.5, 1, 1.5}, 0.5 / 1.5},
		// intersection 0.25, union 1 + 0.25 - 0.25 = 1
		{"contained", unit, Box{0, 0, 0.5, 0.5}, 0.25},
		// intersection 0.5 x 0.5 = 0.25, union 1 + 1 - 0.25 = 1.75
		{"corner overlap", unit, Box{0.5, 0.5, 1.5, 1.5}, 0.25 / 1.75},
		{"zero height", Box{0.5, 0, 0.5, 1}, unit, 0},
		{"point", Box{0.5, 0.5, 0.5, 0.5}, unit, 0},
		{"two equal points", Box{0.5, 0.5, 0.5, 0.5}, Box{0.5, 0.5, 0.5, 0.5}, 0},
	}
	for _, tc := range tests {
		for _, got := range []float32{tc.a.IoU(tc.b), tc.b.IoU(tc.a)} {
			if !near(got, tc.want) {
				t.Errorf("%s: IoU = %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}
