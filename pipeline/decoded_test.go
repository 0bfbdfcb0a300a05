package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// TestDecodedFrame: a request carrying pixels (a camera frame) is answered like the same
// photo sent as JPEG bytes, the frame is left as it was, and the pixel limit still holds.
func TestDecodedFrame(t *testing.T) {
	p := testpipeline.Shared(t)
	src, err := jpeg.Decode(bytes.NewReader(testenv.ReadImage(t, "airplane_airport_1280.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	frame := image.NewRGBA(src.Bounds())
	draw.Draw(frame, frame.Rect, src, image.Point{}, draw.Src)
	before := bytes.Clone(frame.Pix)

	res, err := p.Run(context.Background(), pipeline.Request{Task: catalog.TaskDetect, Decoded: frame, Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != 1280 || res.Height != 1280 {
		t.Errorf("size %dx%d, want 1280x1280", res.Width, res.Height)
	}
	// The two airplanes of the photo, as x0, y0, x1, y1 read off it: the far one and the near one.
	got := res.Results.([]results.Detection)
	for _, plane := range [][4]float64{{378, 440, 903, 615}, {370, 585, 1015, 975}} {
		best := 0.0
		for _, d := range got {
			if d.Class == "airplane" {
				best = max(best, overlap(plane, [4]float64{d.BBox[0], d.BBox[1], d.BBox[0] + d.BBox[2], d.BBox[1] + d.BBox[3]}))
			}
		}
		if best < 0.4 {
			t.Errorf("airplane at %v: best overlap %.2f, want ≥ 0.4: %+v", plane, best, got)
		}
	}
	if len(res.Annotated) == 0 {
		t.Error("no annotated image")
	}
	if !bytes.Equal(frame.Pix, before) {
		t.Error("the pipeline changed the caller's frame")
	}

	small := testpipeline.Open(t, pipeline.Config{Workers: 1, Queue: 1, MaxImageBytes: 1 << 20, MaxPixels: 1000 * 1000}, nil, nil, "coco-ssd")
	for _, tc := range []struct {
		frame image.Image
		want  error
	}{
		{frame, preprocess.ErrTooLarge},
		{image.NewRGBA(image.Rect(0, 0, 0, 0)), preprocess.ErrBadImage},
	} {
		if _, err := small.Run(context.Background(), pipeline.Request{Task: catalog.TaskDetect, Decoded: tc.frame}); !errors.Is(err, tc.want) {
			t.Errorf("frame %v: error %v, want %v", tc.frame.Bounds(), err, tc.want)
		}
	}
}

// overlap is the intersection over union of two x0, y0, x1, y1 boxes.
func overlap(a, b [4]float64) float64 {
	iw := max(0, min(a[2], b[2])-max(a[0], b[0]))
	ih := max(0, min(a[3], b[3])-max(a[1], b[1]))
	inter := iw * ih
	return inter / ((a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter)
}
