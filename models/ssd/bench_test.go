package ssd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchFrame builds a frame shaped like COCO SSD MobileNet v1's: 1917 anchors on six grids
// (19², 10², 5², 3², 2², 1² cells with 3, then 6, anchors per cell) and 90 classes plus
// background. Scores are sparse, like a real photo's: low noise everywhere and five objects,
// each a run of neighbouring anchors scoring 0.5..0.95 for one class.
func benchFrame() (enc, scores, anchors []float32) {
	r := rand.New(rand.NewPCG(1, 2))
	grids := []struct{ size, boxes int }{{19, 3}, {10, 6}, {5, 6}, {3, 6}, {2, 6}, {1, 6}}
	ratios := []float64{1, 2, 0.5, 3, 1.0 / 3, 1}
	for l, g := range grids {
		scale := 0.2 + 0.75*float64(l-1)/4
		if l == 0 {
			scale = 0.1
		}
		for i := range g.size * g.size {
			yc, xc := (float64(i/g.size)+0.5)/float64(g.size), (float64(i%g.size)+0.5)/float64(g.size)
			for _, ar := range ratios[:g.boxes] {
				anchors = append(anchors, float32(yc), float32(xc),
					float32(scale/math.Sqrt(ar)), float32(scale*math.Sqrt(ar)))
			}
		}
	}
	n, stride := len(anchors)/4, 91
	enc = make([]float32, 4*n)
	for i := range enc {
		enc[i] = r.Float32()*2 - 1
	}
	scores = make([]float32, n*stride)
	for a := range n {
		scores[a*stride] = 0.9
		for c := 1; c < stride; c++ {
			scores[a*stride+c] = r.Float32() * 0.05
		}
	}
	for _, class := range []int{1, 1, 3, 18, 62} {
		first := r.IntN(n - 30)
		for a := first; a < first+30; a++ {
			scores[a*stride+class] = 0.5 + 0.45*r.Float32()
		}
	}
	return enc, scores, anchors
}

func BenchmarkPostprocess(b *testing.B) {
	enc, scores, anchors := benchFrame()
	if len(anchors) != 4*1917 {
		b.Fatalf("%d anchors", len(anchors)/4)
	}
	opts := ssdOptions
	q := Query{MinScore: 0.5, MaxDetections: 20}
	regular := opts
	regular.UseRegularNMS = true
	for _, bc := range []struct {
		name string
		opts Options
		q    Query
	}{{"fast", opts, q}, {"regular", regular, q}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Postprocess(enc, scores, anchors, bc.opts, bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanScores is the floor for Postprocess: one pass that reads every class score
// and finds none above a threshold. Compare it with BenchmarkPostprocess in the same run.
func BenchmarkScanScores(b *testing.B) {
	_, scores, _ := benchFrame()
	found := 0
	for b.Loop() {
		for row := range len(scores) / 91 {
			if firstAtLeast(scores[row*91+1:(row+1)*91], 2) >= 0 {
				found++
			}
		}
	}
	if found != 0 {
		b.Fatal(found)
	}
}
