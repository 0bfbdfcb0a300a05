package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/preprocess/turbo"
	"github.com/visiond/visiond/pipeline"
)

// BenchmarkAnnotated is what an annotated JPEG adds to a detect of the 1280×1280 photo, in
// the pipeline, against libjpeg-turbo alone decoding the photo at full size and encoding it
// at quality 85, 4:2:0 (the floor). The three alternate in one loop:
//
//	go test ./pipeline -run '^$' -bench Annotated -benchtime 100x
func BenchmarkAnnotated(b *testing.B) {
	p := testpipeline.Shared(b)
	photo := testenv.ReadImage(b, "airplane_airport_1280.jpg")
	ctx := context.Background()
	var plain, annotated, floor time.Duration
	var pix []byte
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := p.Run(ctx, pipeline.Request{Task: catalog.TaskDetect, Image: photo}); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)
		start = time.Now()
		res, err := p.Run(ctx, pipeline.Request{Task: catalog.TaskDetect, Image: photo, Annotate: true})
		if err != nil || len(res.Annotated) == 0 {
			b.Fatal(err)
		}
		annotated += time.Since(start)
		start = time.Now()
		img, _, err := turbo.DecodeScaled(photo, 1<<30, 1<<30, preprocess.DefaultLimits.MaxPixels, pix)
		if err != nil {
			b.Fatal(err)
		}
		pix = img.Pix
		if _, err := turbo.Encode(nil, img, 85); err != nil {
			b.Fatal(err)
		}
		floor += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain.Microseconds())/n/1000, "plain-ms")
	b.ReportMetric(float64(annotated.Microseconds())/n/1000, "annotated-ms")
	b.ReportMetric(float64(floor.Microseconds())/n/1000, "turbo-ms")
	b.ReportMetric(float64(annotated-plain)/float64(floor), "added/turbo")
}
