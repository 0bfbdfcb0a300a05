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
	checkAirplanes(t, res)
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
