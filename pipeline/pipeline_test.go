package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

func TestDetectWithAnnotation(t *testing.T) {
	p := testpipeline.Shared(t)
	res, err := p.Run(context.Background(), pipeline.Request{
		Task: catalog.TaskDetect, Image: testenv.ReadImage(t, "airplane_airport_1280.jpg"), Annotate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "coco-ssd" || res.Width != 1280 || res.Height != 1280 {
		t.Errorf("model %s, size %dx%d; want coco-ssd, 1280x1280", res.Model, res.Width, res.Height)
	}
	golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", res.Results)
	if res.AnnotatedFormat != annotate.JPEG {
		t.Errorf("annotated format %q, want jpeg", res.AnnotatedFormat)
	}
	img, err := jpeg.Decode(bytes.NewReader(res.Annotated))
	if err != nil {
		t.Fatalf("annotated image: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, 1280, 1280) {
		t.Errorf("annotated image is %v, want the original size", img.Bounds())
	}
	if res.Timings.Inference <= 0 || res.Timings.Decode <= 0 || res.Timings.Annotate <= 0 {
		t.Errorf("missing stage timings: %+v", res.Timings)
	}
}

// TestDetectReduced: without annotation the photo is decoded at a quarter of its size, and
// the boxes still come out in pixels of the original.
func TestDetectReduced(t *testing.T) {
	p := testpipeline.Shared(t)
	res, err := p.Run(context.Background(), pipeline.Request{Task: catalog.TaskDetect, Image: testenv.ReadImage(t, "airplane_airport_1280.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != 1280 || res.Height != 1280 || res.Annotated != nil {
		t.Errorf("size %dx%d, annotated %d bytes; want 1280x1280 and none", res.Width, res.Height, len(res.Annotated))
	}
	golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", res.Results)
}

func TestClassifyDefaultModel(t *testing.T) {
	p := testpipeline.Shared(t)
	res, err := p.Run(context.Background(), pipeline.Request{Task: catalog.TaskClassify, Image: testenv.ReadImage(t, "burger.jpg"), Options: pipeline.Options{Top: 1}})
	if err != nil {
		t.Fatal(err)
	}
	cls := res.Results.([]results.Classification)
	if len(cls) != 1 || cls[0].ClassName != "cheeseburger" {
		t.Errorf("burger.jpg: %+v, want cheeseburger", cls)
	}
}

func TestRunErrors(t *testing.T) {
	p := testpipeline.Shared(t)
	jpg := testenv.ReadImage(t, "burger.jpg")
	cases := []struct {
		name string
		req  pipeline.Request
		want error
	}{
		{"unknown task", pipeline.Request{Task: "segment", Image: jpg}, pipeline.ErrUnknownTask},
		{"unknown model", pipeline.Request{Task: catalog.TaskDetect, Model: "yolo", Image: jpg}, catalog.ErrUnknownModel},
		{"catalog model not loaded", pipeline.Request{Task: catalog.TaskPose, Model: "posenet", Image: jpg}, catalog.ErrUnknownModel},
		{"model of another task", pipeline.Request{Task: catalog.TaskDetect, Model: "mobilenet", Image: jpg}, models.ErrBadOption},
		{"bad option", pipeline.Request{Task: catalog.TaskDetect, Image: jpg, Options: pipeline.Options{MinScore: 2}}, models.ErrBadOption},
		{"unknown class", pipeline.Request{Task: catalog.TaskDetect, Image: jpg, Options: pipeline.Options{Classes: []string{"unicorn"}}}, models.ErrBadOption},
		{"bad format", pipeline.Request{Task: catalog.TaskDetect, Image: jpg, Annotate: true, Format: "gif"}, models.ErrBadOption},
		{"bad quality", pipeline.Request{Task: catalog.TaskDetect, Image: jpg, Annotate: true, Quality: 101}, models.ErrBadOption},
		{"not an image", pipeline.Request{Task: catalog.TaskDetect, Image: []byte("hello")}, preprocess.ErrBadImage},
		{"tiff", pipeline.Request{Task: catalog.TaskDetect, Image: []byte("II*\x00\x08\x00\x00\x00")}, preprocess.ErrUnsupportedFormat},
		{"truncated jpeg", pipeline.Request{Task: catalog.TaskDetect, Image: jpg[:len(jpg)/3]}, preprocess.ErrBadImage},
		{"empty", pipeline.Request{Task: catalog.TaskDetect}, preprocess.ErrBadImage},
	}
	for _, c := range cases {
		if _, err := p.Run(context.Background(), c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestModels(t *testing.T) {
	p := testpipeline.Shared(t)
	infos := p.Models()
	if len(infos) != 2 || infos[0].Name != "coco-ssd" || infos[1].Name != "mobilenet" {
		t.Fatalf("models: %+v", infos)
	}
	if infos[0].Labels != 80 || infos[1].Labels != 1001 || !infos[0].Default || infos[0].InputWidth != 300 {
		t.Errorf("model details: %+v", infos)
	}
}

// TestPoseAndHands: the pose and hands tasks run through the pipeline with their defaults,
// results in pixels of the original photo.
func TestPoseAndHands(t *testing.T) {
	p := testpipeline.Open(t, pipeline.Defaults(), nil, nil, "movenet", "hands")

	res, err := p.Run(context.Background(), pipeline.Request{Task: catalog.TaskPose, Image: testenv.ReadImage(t, "person_fullbody_pose.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "movenet" {
		t.Errorf("pose ran %s, want movenet, the pose task's only model here", res.Model)
	}
	golden.Check(t, "movenet", "person_fullbody_pose.jpg", res.Results)

	res, err = p.Run(context.Background(), pipeline.Request{Task: catalog.TaskHands, Image: testenv.ReadImage(t, "hands.jpg"), Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "hands", "hands.jpg", res.Results)
	if len(res.Annotated) == 0 {
		t.Error("no annotated image")
	}
}
