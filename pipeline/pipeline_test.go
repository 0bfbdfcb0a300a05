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
	checkAirplanes(t, res)
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
	checkAirplanes(t, res)
}

// checkAirplanes checks that both large airliners of the airport photo were found where they
// are: one taxiing behind (about x 378–903, y 440–615), one at the gate in front (about x
// 370–1015, y 585–975), each covered by an airplane box with an IoU of at least 0.4.
func checkAirplanes(t *testing.T, res *pipeline.Result) {
	t.Helper()
	dets := res.Results.([]results.Detection)
	for _, want := range [][4]float64{{378, 440, 903, 615}, {370, 585, 1015, 975}} {
		best := 0.0
		for _, d := range dets {
			if d.Class == "airplane" {
				best = max(best, iou(want, [4]float64{d.BBox[0], d.BBox[1], d.BBox[0] + d.BBox[2], d.BBox[1] + d.BBox[3]}))
			}
		}
		if best < 0.4 {
			t.Errorf("airplane at %v: best IoU %.2f, want ≥ 0.4: %+v", want, best, dets)
		}
	}
}

// iou is the intersection over union of two boxes given as x0, y0, x1, y1.
func iou(a, b [4]float64) float64 {
	iw := max(0, min(a[2], b[2])-max(a[0], b[0]))
	ih := max(0, min(a[3], b[3])-max(a[1], b[1]))
	inter := iw * ih
	return inter / ((a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter)
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
	if infos[0].Labels != 90 || infos[1].Labels != 1001 || !infos[0].Default || infos[0].InputWidth != 300 {
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
	poses := res.Results.([]results.Pose)
	if len(poses) != 1 || poses[0].Keypoints[0].Part != "nose" {
		t.Fatalf("poses: %+v", poses)
	}
	// The woman's nose, read off the 1000×667 photo, at about (456, 287).
	if nose := poses[0].Keypoints[0].Position; abs(nose.X-456) > 40 || abs(nose.Y-287) > 40 {
		t.Errorf("nose at %+v, want near (456, 287)", nose)
	}

	res, err = p.Run(context.Background(), pipeline.Request{Task: catalog.TaskHands, Image: testenv.ReadImage(t, "hands.jpg"), Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	if hands := res.Results.([]results.Hand); len(hands) != 2 || len(hands[0].Landmarks) != 21 {
		t.Errorf("hands.jpg: %d hands, want 2 with 21 landmarks", len(hands))
	}
	if len(res.Annotated) == 0 {
		t.Error("no annotated image")
	}
}

func abs(v float64) float64 { return max(v, -v) }
