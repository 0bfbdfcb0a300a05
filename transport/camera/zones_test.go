package camera

import (
	"testing"

	"github.com/visiond/visiond/models/results"
)

// TestZones: a point counts for a zone when it is inside the polygon, concave ones included;
// relative corners scale with the picture; a box counts by its bottom-centre.
func TestZones(t *testing.T) {
	// An L shape in a 100×100 picture: the left column and the bottom row.
	l := Zone{Name: "l", Relative: true, Points: [][]float64{{0, 0}, {0.3, 0}, {0.3, 0.7}, {1, 0.7}, {1, 1}, {0, 1}}}
	z := zonesFor([]Zone{l}, 100, 100)[0]
	for _, tc := range []struct {
		x, y float64
		in   bool
	}{
		{10, 10, true}, {10, 90, true}, {90, 90, true}, {50, 50, false}, {90, 10, false}, {150, 90, false}, {-1, 50, false},
	} {
		if got := z.contains(tc.x, tc.y); got != tc.in {
			t.Errorf("(%g, %g) inside: %v, want %v", tc.x, tc.y, got, tc.in)
		}
	}
	pixels := zonesFor([]Zone{{Name: "p", Points: [][]float64{{0, 0}, {30, 0}, {30, 70}, {100, 70}, {100, 100}, {0, 100}}}}, 1000, 1000)[0]
	if !pixels.contains(90, 90) || pixels.contains(500, 500) {
		t.Error("pixel corners must not scale with the picture")
	}

	dets := []results.Detection{
		{BBox: [4]float64{80, 20, 20, 60}, Class: "car"},    // bottom-centre (90, 80): in the bottom row
		{BBox: [4]float64{60, 10, 30, 30}, Class: "car"},    // (75, 40): outside
		{BBox: [4]float64{0, 0, 20, 30}, Class: "person"},   // (10, 30): in the column
		{BBox: [4]float64{40, 40, 60, 20}, Class: "person"}, // (70, 60): the box overlaps, its foot is outside
	}
	got := countZones(inZones([]zone{z}, dets))
	if len(got) != 1 || got["l"]["car"] != 1 || got["l"]["person"] != 1 {
		t.Errorf("counts %v, want one car and one person in l", got)
	}
	if empty := countZones(inZones([]zone{z}, nil)); empty["l"] == nil || len(empty["l"]) != 0 {
		t.Errorf("an empty zone: %v, want an entry with no counts", empty)
	}
}
