package models

import (
	"fmt"
	"testing"
	"time"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
)

// BenchmarkModes times raw inference of each quantised catalog model converted both ways,
// float and QDQ, alternating one run of each on the same prepared tensor, with one thread
// and with two (the figures behind each model's catalog Convert field):
//
//	go test ./models -run '^$' -bench Modes -benchtime 100x
func BenchmarkModes(b *testing.B) {
	eng := testmodels.Engine(b)
	for _, name := range []string{"coco-ssd", "mobilenet", "mobilenet-v1-0.25", "posenet", "movenet"} {
		m, _ := catalog.Lookup(name)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) {
				var runs [2]func() error
				for i, mode := range []convert.Mode{convert.Float, convert.QDQ} {
					g, err := openGraph(LoadOptions{Engine: eng, Store: testmodels.Store(b, name), Mode: mode, Threads: threads}, m.Graphs[0], m)
					if err != nil {
						b.Fatal(err)
					}
					defer g.close()
					runs[i] = rawRun(b, g)
				}
				var took [2]time.Duration
				for b.Loop() {
					for i, run := range runs {
						start := time.Now()
						if err := run(); err != nil {
							b.Fatal(err)
						}
						took[i] += time.Since(start)
					}
				}
				b.ReportMetric(float64(took[0].Microseconds())/float64(b.N)/1000, "float-ms")
				b.ReportMetric(float64(took[1].Microseconds())/float64(b.N)/1000, "qdq-ms")
				b.ReportMetric(float64(took[0])/float64(took[1]), "float/qdq")
			})
		}
	}
}
