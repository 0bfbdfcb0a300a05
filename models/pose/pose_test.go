package pose

import (
	"errors"
	"math"
	"testing"
)

func TestChainIsATreeFromTheNose(t *testing.T) {
	seen := [NumParts]bool{Nose: true}
	for _, e := range Chain {
		if !seen[e.Parent] || seen[e.Child] {
			t.Fatalf("edge %s→%s: parent not reached yet or child reached twice", PartNames[e.Parent], PartNames[e.Child])
		}
		seen[e.Child] = true
	}
	for part, ok := range seen {
		if !ok {
			t.Errorf("%s is not in the chain", PartNames[part])
		}
	}
}

func TestDecodeSingle(t *testing.T) {
	// A 4×5 grid at stride 10. The nose peaks at cell (1, 2) with offset (+3, -2): input
	// pixel (y 13, x 18), so (18.5, 13.5) in continuous coordinates. The left ankle peaks at
	// cell (3, 4) with offset (-1, +4): (44.5, 29.5). The right ankle has two equal peaks, at
	// cells (2, 1) and (3, 0); the first in row-major order wins: offset (+1, +1) gives
	// (11.5, 21.5). Every other part is zero everywhere, so cell (0, 0) wins: (0.5, 0.5), score 0.
	m := emptyMaps(4, 5, 10)
	set := func(y, x, part int, score, dy, dx float32) {
		m.Heatmaps[(y*5+x)*NumParts+part] = score
		m.Offsets[(y*5+x)*offsetChannels+part] = dy
		m.Offsets[(y*5+x)*offsetChannels+NumParts+part] = dx
	}
	set(1, 2, Nose, 0.9, 3, -2)
	set(0, 0, Nose, 0.5, 7, 7) // a lower bump elsewhere does not matter
	set(3, 4, LeftAnkle, 0.6, -1, 4)
	set(2, 1, RightAnkle, 0.4, 1, 1)
	set(3, 0, RightAnkle, 0.4, 5, 5)
	m.Displacements = nil // single-pose decoding does not read them
	p, err := DecodeSingle(m)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]Keypoint{
		Nose:       {X: 18.5, Y: 13.5, Score: 0.9},
		LeftAnkle:  {X: 44.5, Y: 29.5, Score: 0.6},
		RightAnkle: {X: 11.5, Y: 21.5, Score: 0.4},
		RightEye:   {X: 0.5, Y: 0.5, Score: 0},
	}
	for part, w := range want {
		k := p.Keypoints[part]
		if math.Abs(k.X-w.X) > 1e-6 || math.Abs(k.Y-w.Y) > 1e-6 || math.Abs(k.Score-w.Score) > 1e-6 {
			t.Errorf("%s = %+v, want %+v", PartNames[part], k, w)
		}
	}
	if want := (0.9 + 0.6 + 0.4) / NumParts; math.Abs(p.Score-want) > 1e-6 {
		t.Errorf("score %v, want %v", p.Score, want)
	}
}

func TestDecodeSingleFindsTheLaidOutPerson(t *testing.T) {
	m := emptyMaps(12, 16, 8)
	p := standing(0.8)
	p.scores[LeftWrist] = 0.3
	m.draw(p)
	got, err := DecodeSingle(m)
	if err != nil {
		t.Fatal(err)
	}
	checkPose(t, got, p, mean(p.scores[:]))
}

func TestDecodeMultipleTwoPeople(t *testing.T) {
	// Two people side by side, 64 pixels (8 cells) apart; the right one scores lower.
	m := emptyMaps(12, 16, 8)
	a, b := standing(0.9), standing(0.7).shifted(64)
	a.scores[RightAnkle] = 0.4
	m.draw(a)
	m.draw(b)
	poses, err := DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(poses) != 2 {
		t.Fatalf("%d poses, want 2: %+v", len(poses), poses)
	}
	checkPose(t, poses[0], a, mean(a.scores[:]))
	checkPose(t, poses[1], b, mean(b.scores[:]))

	// MaxPoses keeps the first pose decoded, the one with the best root.
	poses, err = DecodeMultiple(m, MultiOptions{MaxPoses: 1, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil || len(poses) != 1 {
		t.Fatalf("max 1: %d poses, %v", len(poses), err)
	}
	checkPose(t, poses[0], a, mean(a.scores[:]))

	// A root threshold above the right person's 0.7 leaves no part of it to start from.
	poses, err = DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.8, NMSRadius: 20})
	if err != nil || len(poses) != 1 || poses[0].Keypoints[Nose].X != a.at[Nose].x+0.5 {
		t.Fatalf("threshold 0.8: %+v, %v; want only the left person", poses, err)
	}

	// MinPoseScore drops the weaker pose.
	poses, err = DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, MinPoseScore: 0.8, NMSRadius: 20})
	if err != nil || len(poses) != 1 {
		t.Fatalf("min pose score 0.8: %d poses, %v; want 1", len(poses), err)
	}
}

func TestDecodeMultipleEveryPartCanBeTheRoot(t *testing.T) {
	// Whichever part scores best starts the walk, which must still reach all 17.
	for root := range NumParts {
		m := emptyMaps(12, 16, 8)
		p := standing(0.6)
		p.scores[root] = 0.95
		m.draw(p)
		poses, err := DecodeMultiple(m, MultiOptions{MaxPoses: 3, ScoreThreshold: 0.5, NMSRadius: 10})
		if err != nil || len(poses) != 1 {
			t.Fatalf("root %s: %d poses, %v; want 1", PartNames[root], len(poses), err)
		}
		checkPose(t, poses[0], p, mean(p.scores[:]))
	}
}

func TestDecodeMultipleNMS(t *testing.T) {
	// The same figure twice, 16 pixels (2 cells) apart: within a radius of 20 every root of
	// the weaker copy lies near the same part of the stronger one, so it starts no pose.
	m := emptyMaps(12, 16, 8)
	a, b := standing(0.9), standing(0.7).shifted(16)
	m.draw(a)
	m.draw(b)
	poses, err := DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil || len(poses) != 1 {
		t.Fatalf("radius 20: %d poses, %v; want 1", len(poses), err)
	}
	checkPose(t, poses[0], a, mean(a.scores[:]))
	// With a radius of 10 the copy is a second person.
	poses, err = DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 10})
	if err != nil || len(poses) != 2 {
		t.Fatalf("radius 10: %d poses, %v; want 2", len(poses), err)
	}
	checkPose(t, poses[1], b, mean(b.scores[:]))
}

func TestDecodeMultipleClaimedKeypointsDoNotScore(t *testing.T) {
	// A second upper body, 40 pixels to the right of the first, whose legs are the first
	// person's legs: its displacements lead from its shoulders to the first person's hips.
	// Those six keypoints are already claimed, so only its eleven upper parts count.
	m := emptyMaps(12, 16, 8)
	a := standing(0.9)
	b := standing(0.7).shifted(40)
	for part := LeftHip; part <= RightAnkle; part++ {
		b.at[part], b.scores[part] = a.at[part], a.scores[part]
	}
	m.draw(a)
	m.draw(b)
	m.draw(a) // a's legs keep their own backward displacements
	poses, err := DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil || len(poses) != 2 {
		t.Fatalf("%d poses, %v; want 2", len(poses), err)
	}
	checkPose(t, poses[0], a, mean(a.scores[:]))
	checkPose(t, poses[1], b, mean(b.scores[:LeftHip]))
}

func TestDecodeMultipleAllBelowThreshold(t *testing.T) {
	m := emptyMaps(12, 16, 8)
	m.draw(standing(0.3))
	poses, err := DecodeMultiple(m, MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil || len(poses) != 0 {
		t.Fatalf("%d poses, %v; want none", len(poses), err)
	}
	// Empty maps too.
	poses, err = DecodeMultiple(emptyMaps(3, 3, 16), MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20})
	if err != nil || len(poses) != 0 {
		t.Fatalf("empty maps: %d poses, %v; want none", len(poses), err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := emptyMaps(3, 4, 16)
	ok := MultiOptions{MaxPoses: 1, ScoreThreshold: 0.5, NMSRadius: 20}
	bad := []Maps{
		{Height: 0, Width: 4, Stride: 16},
		{Height: 3, Width: 4, Stride: 0, Heatmaps: good.Heatmaps, Offsets: good.Offsets, Displacements: good.Displacements},
		{Height: 3, Width: 4, Stride: 16, Heatmaps: good.Heatmaps[1:], Offsets: good.Offsets, Displacements: good.Displacements},
		{Height: 3, Width: 4, Stride: 16, Heatmaps: good.Heatmaps, Offsets: good.Offsets[:10], Displacements: good.Displacements},
	}
	for i, m := range bad {
		if _, err := DecodeSingle(m); !errors.Is(err, ErrMaps) {
			t.Errorf("maps %d, single: err %v, want ErrMaps", i, err)
		}
		if _, err := DecodeMultiple(m, ok); !errors.Is(err, ErrMaps) {
			t.Errorf("maps %d, multiple: err %v, want ErrMaps", i, err)
		}
	}
	noDisp := good
	noDisp.Displacements = nil
	if _, err := DecodeSingle(noDisp); err != nil {
		t.Errorf("single without displacements: %v", err)
	}
	if _, err := DecodeMultiple(noDisp, ok); !errors.Is(err, ErrMaps) {
		t.Errorf("multiple without displacements: err %v, want ErrMaps", err)
	}
	for _, o := range []MultiOptions{
		{MaxPoses: 0, ScoreThreshold: 0.5, NMSRadius: 20},
		{MaxPoses: 1, ScoreThreshold: -0.1, NMSRadius: 20},
		{MaxPoses: 1, ScoreThreshold: math.NaN(), NMSRadius: 20},
		{MaxPoses: 1, ScoreThreshold: 0.5, MinPoseScore: 2, NMSRadius: 20},
		{MaxPoses: 1, ScoreThreshold: 0.5, NMSRadius: -1},
		{MaxPoses: 1, ScoreThreshold: 0.5, NMSRadius: math.Inf(1)},
	} {
		if _, err := DecodeMultiple(good, o); !errors.Is(err, ErrOptions) {
			t.Errorf("options %+v: err %v, want ErrOptions", o, err)
		}
	}
}

func TestDecodeMoveNet(t *testing.T) {
	out := make([]float32, MoveNetValues)
	out[3*Nose], out[3*Nose+1], out[3*Nose+2] = 0.25, 0.5, 0.9                  // y, x, score
	out[3*RightAnkle], out[3*RightAnkle+1], out[3*RightAnkle+2] = 1, 0.125, 0.4 // bottom edge
	p, err := DecodeMoveNet(out, 192, 192)
	if err != nil {
		t.Fatal(err)
	}
	if k := p.Keypoints[Nose]; k != (Keypoint{X: 96, Y: 48, Score: float64(float32(0.9))}) {
		t.Errorf("nose %+v, want (96, 48) 0.9", k)
	}
	if k := p.Keypoints[RightAnkle]; k != (Keypoint{X: 24, Y: 192, Score: float64(float32(0.4))}) {
		t.Errorf("right ankle %+v, want (24, 192) 0.4", k)
	}
	if want := (0.9 + 0.4) / NumParts; math.Abs(p.Score-want) > 1e-6 {
		t.Errorf("score %v, want %v", p.Score, want)
	}
	if _, err := DecodeMoveNet(out[:50], 192, 192); !errors.Is(err, ErrMaps) {
		t.Errorf("50 values: err %v, want ErrMaps", err)
	}
	if _, err := DecodeMoveNet(out, 0, 192); !errors.Is(err, ErrMaps) {
		t.Errorf("zero width: err %v, want ErrMaps", err)
	}
}
