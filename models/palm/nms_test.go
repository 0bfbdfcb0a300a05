package palm

import "testing"

func det(x0, y0, x1, y1, score float64, kp Point) Detection {
	d := Detection{Box: Box{XMin: x0, YMin: y0, XMax: x1, YMax: y1}, Score: score}
	d.Keypoints[0] = kp
	return d
}

func TestWeightedNMS(t *testing.T) {
	in := []Detection{
		det(28, 20, 38, 30, 0.5, Point{}),             // D: IoU 20/180 with C, kept alone
		det(1, 0, 11, 10, 0.6, Point{X: 3, Y: 6}),     // B: IoU 90/110 with A, merged into A
		det(20, 20, 30, 30, 0.7, Point{X: 25, Y: 25}), // C: apart from A and B
		det(0, 0, 10, 10, 0.9, Point{}),               // A: the best
	}
	out := WeightedNMS(in, 0.3)
	if len(out) != 3 {
		t.Fatalf("%d detections, want 3: %+v", len(out), out)
	}
	// A and B merged with weights 0.9 and 0.6: xmin (0·0.9 + 1·0.6)/1.5 = 0.4,
	// xmax (10·0.9 + 11·0.6)/1.5 = 10.4; the keypoint (3·0.6/1.5, 6·0.6/1.5) = (1.2, 2.4).
	m := out[0]
	if !near(m.Box.XMin, 0.4, 1e-9) || !near(m.Box.XMax, 10.4, 1e-9) || !near(m.Box.YMin, 0, 1e-9) || !near(m.Box.YMax, 10, 1e-9) {
		t.Errorf("merged box %+v, want (0.4, 0)-(10.4, 10)", m.Box)
	}
	if !near(m.Keypoints[0].X, 1.2, 1e-9) || !near(m.Keypoints[0].Y, 2.4, 1e-9) {
		t.Errorf("merged keypoint %+v, want (1.2, 2.4)", m.Keypoints[0])
	}
	if m.Score != 0.9 {
		t.Errorf("merged score %v, want the best one's, 0.9", m.Score)
	}
	// A lone detection is the weighted mean of itself: unchanged but for rounding.
	for k, want := range []Detection{in[2], in[0]} {
		got := out[k+1]
		if got.Score != want.Score || !near(got.Box.XMin, want.Box.XMin, 1e-9) || !near(got.Box.YMin, want.Box.YMin, 1e-9) ||
			!near(got.Box.XMax, want.Box.XMax, 1e-9) || !near(got.Box.YMax, want.Box.YMax, 1e-9) ||
			!near(got.Keypoints[0].X, want.Keypoints[0].X, 1e-9) || !near(got.Keypoints[0].Y, want.Keypoints[0].Y, 1e-9) {
			t.Errorf("detection %d is %+v, want %+v", k+1, got, want)
		}
	}
	if in[3].Box.XMax != 10 {
		t.Error("WeightedNMS changed its input")
	}
}

func TestWeightedNMSEmpty(t *testing.T) {
	if out := WeightedNMS(nil, 0.3); len(out) != 0 {
		t.Errorf("got %+v from nothing", out)
	}
}
