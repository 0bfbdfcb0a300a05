//go:build cgo

package turbo

import "testing"

func TestChoose(t *testing.T) {
	fs := factors()
	if len(fs) == 0 {
		t.Fatal("libjpeg-turbo lists no scaling factors")
	}
	tests := []struct {
		name             string
		w, h, minW, minH int
		want             factor
	}{
		{"1280 square to 300", 1280, 1280, 300, 300, factor{1, 4}},
		{"1280 square to 224", 1280, 1280, 224, 224, factor{1, 4}},
		{"1280 square to 160", 1280, 1280, 160, 160, factor{1, 8}},
		{"1280 square to 161", 1280, 1280, 161, 161, factor{1, 4}},
		{"640x480 to 300: no 5/8", 640, 480, 300, 300, factor{1, 1}},
		{"640x480 to 240", 640, 480, 240, 240, factor{1, 2}},
		{"smaller than wanted", 200, 200, 300, 300, factor{1, 1}},
		{"exactly wanted", 300, 300, 300, 300, factor{1, 1}},
		{"height decides", 4000, 600, 300, 300, factor{1, 2}},
		{"rounding up counts", 1281, 1281, 161, 161, factor{1, 8}},
		{"no minimum", 1280, 960, 0, 0, factor{1, 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := choose(fs, tc.w, tc.h, tc.minW, tc.minH); got != tc.want {
				t.Errorf("choose(%dx%d, min %dx%d) = %d/%d, want %d/%d",
					tc.w, tc.h, tc.minW, tc.minH, got.num, got.denom, tc.want.num, tc.want.denom)
			}
		})
	}
}
