package palm

import (
	"errors"
	"math"
	"testing"
)

// rawBox returns the 18 raw values of one anchor: box centre offset, size and keypoints, in
// 192-pixel units.
func rawBox(cx, cy, w, h float32, kp ...float32) []float32 {
	v := make([]float32, valuesPerBox)
	v[0], v[1], v[2], v[3] = cx, cy, w, h
	copy(v[4:], kp)
	return v
}

func TestDecodeKnownBox(t *testing.T) {
	anchors := []Anchor{{X: 0.5, Y: 0.25}, {X: 0.1, Y: 0.1}, {X: 0.9, Y: 0.9}, {X: 0.3, Y: 0.3}}
	var raw []float32
	// Centre 19.2 px right and 9.6 px up of the anchor, 38.4 x 57.6 px: in a 192-px input
	// that is centre (0.6, 0.2), size 0.2 x 0.3. Keypoint 0 is 19.2 px below the anchor,
	// keypoint 6 is 9.6 px left of it.
	raw = append(raw, rawBox(19.2, -9.6, 38.4, 57.6, 0, 19.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -9.6, 0)...)
	raw = append(raw, rawBox(0, 0, 10, 10)...)  // scores below the threshold
	raw = append(raw, rawBox(0, 0, -10, 10)...) // negative width: dropped
	raw = append(raw, rawBox(0, 0, 19.2, 19.2)...)
	scores := []float32{float32(math.Log(3)), 0, 50, 1000} // sigmoid: 0.75, 0.5, ~1, 1 (clipped at 100)
	dets, err := Decode(raw, scores, anchors, 192, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 2 {
		t.Fatalf("%d detections, want 2: %+v", len(dets), dets)
	}
	d := dets[0]
	want := Box{XMin: 0.5, YMin: 0.05, XMax: 0.7, YMax: 0.35}
	if !near(d.Box.XMin, want.XMin, 1e-6) || !near(d.Box.YMin, want.YMin, 1e-6) || !near(d.Box.XMax, want.XMax, 1e-6) || !near(d.Box.YMax, want.YMax, 1e-6) {
		t.Errorf("box %+v, want %+v", d.Box, want)
	}
	if !near(d.Score, 0.75, 1e-6) {
		t.Errorf("score %v, want 0.75", d.Score)
	}
	if p := d.Keypoints[0]; !near(p.X, 0.5, 1e-6) || !near(p.Y, 0.35, 1e-6) {
		t.Errorf("keypoint 0 at %+v, want (0.5, 0.35)", p)
	}
	if p := d.Keypoints[6]; !near(p.X, 0.45, 1e-6) || !near(p.Y, 0.25, 1e-6) {
		t.Errorf("keypoint 6 at %+v, want (0.45, 0.25)", p)
	}
	if p := d.Keypoints[3]; !near(p.X, 0.5, 1e-6) || !near(p.Y, 0.25, 1e-6) {
		t.Errorf("keypoint 3 at %+v, want the anchor centre", p)
	}
	if s := dets[1].Score; !near(s, 1/(1+math.Exp(-100)), 1e-12) {
		t.Errorf("clipped score %v", s)
	}
}

func TestDecodeRejectsSizes(t *testing.T) {
	anchors := make([]Anchor, 3)
	for _, c := range []struct {
		raw, scores int
		scale       float64
	}{{3 * 18, 2, 192}, {3*18 - 1, 3, 192}, {3 * 18, 3, 0}} {
		_, err := Decode(make([]float32, c.raw), make([]float32, c.scores), anchors, c.scale, 0.5)
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%+v: err %v, want ErrBadInput", c, err)
		}
	}
}

func TestProjectRemovesLetterbox(t *testing.T) {
	// A 720x360 image letterboxed into 192x192: scale 3.75 source pixels per tensor pixel,
	// content from y = 48 to 144 in the tensor.
	toSource := func(x, y float64) (float64, float64) { return x * 3.75, (y - 48) * 3.75 }
	d := Detection{Box: Box{XMin: 0.25, YMin: 0.25, XMax: 0.5, YMax: 0.75}, Score: 0.9}
	d.Keypoints[2] = Point{X: 0.5, Y: 0.5}
	p := d.Project(192, 192, toSource)
	want := Box{XMin: 180, YMin: 0, XMax: 360, YMax: 360}
	if p.Box != want {
		t.Errorf("box %+v, want %+v", p.Box, want)
	}
	if p.Keypoints[2] != (Point{X: 360, Y: 180}) || p.Score != 0.9 {
		t.Errorf("keypoint %+v score %v, want the image centre and 0.9", p.Keypoints[2], p.Score)
	}
}
