package pipeline_test

import (
	"context"
	"testing"

	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

// TestGolden runs every model with golden results on every shared photo, with the task's
// default options, and compares the results with testdata/golden (or rewrites it, under
// VISIOND_UPDATE_GOLDEN=1). It then checks that the golden results say what the photos show.
func TestGolden(t *testing.T) {
	p := testpipeline.Open(t, pipeline.Defaults(), nil, nil, golden.Models...)
	for _, model := range golden.Models {
		m, _ := catalog.Lookup(model)
		for _, photo := range golden.Photos {
			res, err := p.Run(context.Background(), pipeline.Request{Task: m.Task, Model: model, Image: testenv.ReadImage(t, photo)})
			if err != nil {
				t.Fatalf("%s on %s: %v", model, photo, err)
			}
			if golden.Updating() {
				golden.Record(t, model, photo, res.Results)
			} else {
				golden.Check(t, model, photo, res.Results)
			}
			checkSense(t, model, photo, res.Results)
		}
		if golden.Updating() {
			golden.Save(t, model)
		}
	}
}

// checkSense checks what a person sees in the photos: the classes of the classifier's top
// answer, the objects the detector must find, and where the poses and hands are.
func checkSense(t *testing.T, model, photo string, out any) {
	t.Helper()
	switch model {
	case "mobilenet":
		top := map[string]string{
			"burger.jpg": "cheeseburger", "parrot.jpg": "macaw", "space_shuttle.jpg": "space shuttle",
			"coffee_mug.jpg": "coffee mug",
		}
		if want, ok := top[photo]; ok {
			if cls := out.([]results.Classification); len(cls) == 0 || cls[0].ClassName != want {
				t.Errorf("mobilenet on %s: %+v, want %s first", photo, cls, want)
			}
		}
	case "coco-ssd":
		least := map[string]map[string]int{
			"airplane_airport_1280.jpg":    {"airplane": 2},
			"street_coco_000000373353.jpg": {"person": 1, "bus": 1, "car": 5},
			"beach_people_kites.jpg":       {"person": 1, "kite": 1},
			"cats_and_dogs.jpg":            {"cat": 1},
			"cat_720p.jpg":                 {"cat": 1},
			"person_fullbody_pose.jpg":     {"person": 1},
		}
		count := map[string]int{}
		for _, d := range out.([]results.Detection) {
			count[d.Class]++
		}
		for class, n := range least[photo] {
			if count[class] < n {
				t.Errorf("coco-ssd on %s: %d %s, want at least %d", photo, count[class], class, n)
			}
		}
	case "posenet", "movenet":
		// The man's nose, read off the 1000×667 photo, at about (456, 275).
		if photo == "person_fullbody_pose.jpg" {
			poses := out.([]results.Pose)
			if len(poses) != 1 || poses[0].Keypoints[0].Part != "nose" {
				t.Fatalf("%s on %s: %+v", model, photo, poses)
			}
			if nose := poses[0].Keypoints[0].Position; abs(nose.X-456) > 40 || abs(nose.Y-275) > 40 {
				t.Errorf("%s: nose at %+v, want near (456, 275)", model, nose)
			}
		}
	case "hands":
		if photo == "hands.jpg" {
			if hands := out.([]results.Hand); len(hands) != 2 {
				t.Errorf("hands on hands.jpg: %d hands, want 2", len(hands))
			}
		}
	}
}

func abs(v float64) float64 { return max(v, -v) }
