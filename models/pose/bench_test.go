package pose

import "testing"

// benchMaps are PoseNet-sized maps (31×41 cells at stride 16, as for a 641×481 input) with
// three people drawn in.
func benchMaps() Maps {
	m := emptyMaps(31, 41, 16)
	for i, s := range []float64{0.9, 0.8, 0.7} {
		m.draw(standing(s).shifted(float64(100 + 180*i)))
	}
	return m
}

// BenchmarkDecodeSingle: single-pose decoding of PoseNet-sized maps.
//
//	go test ./models/pose -run '^$' -bench .
func BenchmarkDecodeSingle(b *testing.B) {
	m := benchMaps()
	for b.Loop() {
		if _, err := DecodeSingle(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMultiple: multi-pose decoding of the same maps with TensorFlow.js defaults.
func BenchmarkDecodeMultiple(b *testing.B) {
	m := benchMaps()
	o := MultiOptions{MaxPoses: 5, ScoreThreshold: 0.5, NMSRadius: 20}
	for b.Loop() {
		if poses, err := DecodeMultiple(m, o); err != nil || len(poses) != 3 {
			b.Fatalf("%d poses, %v", len(poses), err)
		}
	}
}
