package models

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// spot is where a body part is in a photo, in pixels, read off the photo by eye. Left and
// right are the person's own sides.
type spot struct {
	part string
	x, y float64
}

// posePhotos are the single-person photos. tol is about a tenth of the person's height.
var posePhotos = []struct {
	image string
	tol   float64
	spots []spot
}{
	{
		// A man in a warrior-II yoga pose on a beach, facing the camera, head turned to his
		// right (the image's left): his right arm and bent right leg are on the image's left.
		image: "person_fullbody_pose.jpg", tol: 40,
		spots: []spot{
			{"nose", 456, 287},
			{"rightWrist", 295, 306}, {"leftWrist", 700, 313},
			{"rightHip", 460, 465}, {"leftHip", 535, 465},
			{"rightAnkle", 353, 615}, {"leftAnkle", 703, 617},
		},
	},
	{
		// A man squatting, turned three-quarters to the image's right with his hands clasped
		// before his chin: his right side is nearer the camera, his right foot lowest.
		image: "person_squat.png", tol: 45,
		spots: []spot{
			{"nose", 297, 210},
			{"rightWrist", 320, 247}, {"leftWrist", 347, 255},
			{"rightHip", 140, 378}, {"leftHip", 185, 372},
			{"rightAnkle", 170, 547}, {"leftAnkle", 263, 501},
		},
	},
}

// minSeenScore is the keypoint score below which a model says it does not see a part (the
// TensorFlow.js posenet demo's minPartConfidence); where such a part lands is not checked.
// PoseNet's multi-pose walk, for one, reaches the squatting man's hidden left hip through a
// shoulder-to-hip displacement meant for upright people and scores it 0.06.
const minSeenScore = 0.1

// testPoseEstimator loads a pose model from the shared models, closed when the test ends.
func testPoseEstimator(t *testing.T, name string) *PoseEstimator {
	t.Helper()
	m, err := catalog.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewPoseEstimator(LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Store(t, m.Name)}, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func keypointOf(p results.Pose, part string) (results.Keypoint, bool) {
	for _, k := range p.Keypoints {
		if k.Part == part {
			return k, true
		}
	}
	return results.Keypoint{}, false
}

func distance(a, b results.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// estimate runs q on a photo, checks the poses' shape and writes the annotated image to the
// test's output folder (VISIOND_POSE_OUT, else a temporary one) for a look.
func estimate(t *testing.T, e *PoseEstimator, image string, q PoseQuery) []results.Pose {
	t.Helper()
	img := decodeImage(t, image)
	poses, _, err := e.Estimate(context.Background(), img, q)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range poses {
		if len(p.Keypoints) != 17 || p.Score < 0 || p.Score > 1 || (i > 0 && p.Score > poses[i-1].Score) {
			t.Errorf("pose %d: %d keypoints, score %.3f out of order or range", i, len(p.Keypoints), p.Score)
		}
	}
	dir := os.Getenv("VISIOND_POSE_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	name := strings.ReplaceAll(t.Name(), "/", "_") + "_" + e.Name()
	if q.Multi {
		name += "_multi"
	}
	f, err := os.Create(filepath.Join(dir, name+".jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := annotate.Encode(f, annotate.Poses(img, poses, annotate.Options{}), annotate.JPEG, 90); err != nil {
		t.Fatal(err)
	}
	return poses
}

func TestPoseRealPhotos(t *testing.T) {
	estimators := map[string]*PoseEstimator{"posenet": testPoseEstimator(t, "posenet"), "movenet": testPoseEstimator(t, "movenet")}
	runs := []struct {
		name  string
		model string
		multi bool
	}{
		{"posenet-single", "posenet", false},
		{"posenet-multi", "posenet", true},
		{"movenet", "movenet", false},
	}
	for _, ph := range posePhotos {
		for _, r := range runs {
			t.Run(r.name+"/"+ph.image, func(t *testing.T) {
				poses := estimate(t, estimators[r.model], ph.image, PoseQuery{Multi: r.multi})
				if len(poses) == 0 {
					t.Fatal("no pose found")
				}
				best, checked := poses[0], 0
				for _, s := range ph.spots {
					k, _ := keypointOf(best, s.part)
					if k.Score < minSeenScore {
						t.Logf("%s not seen (score %.2f), not checked", s.part, k.Score)
						continue
					}
					checked++
					if d := distance(k.Position, results.Point{X: s.x, Y: s.y}); d > ph.tol {
						t.Errorf("%s at (%.0f, %.0f) score %.2f, want within %.0f px of (%.0f, %.0f); off by %.0f",
							s.part, k.Position.X, k.Position.Y, k.Score, ph.tol, s.x, s.y, d)
					}
				}
				if checked < len(ph.spots)-2 {
					t.Errorf("only %d of %d parts seen", checked, len(ph.spots))
				}
			})
		}
	}
}

func TestPoseNetAndMoveNetAgree(t *testing.T) {
	posenet, movenet := testPoseEstimator(t, "posenet"), testPoseEstimator(t, "movenet")
	for _, ph := range posePhotos {
		t.Run(ph.image, func(t *testing.T) {
			a := estimate(t, posenet, ph.image, PoseQuery{})
			b := estimate(t, movenet, ph.image, PoseQuery{})
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("%d PoseNet and %d MoveNet poses, want 1 each", len(a), len(b))
			}
			compared := 0
			for _, ka := range a[0].Keypoints {
				kb, _ := keypointOf(b[0], ka.Part)
				if ka.Score < 0.3 || kb.Score < 0.3 {
					continue // a part one model cannot see may be anywhere
				}
				compared++
				if d := distance(ka.Position, kb.Position); d > ph.tol {
					t.Errorf("%s: PoseNet (%.0f, %.0f), MoveNet (%.0f, %.0f), %.0f px apart",
						ka.Part, ka.Position.X, ka.Position.Y, kb.Position.X, kb.Position.Y, d)
				}
			}
			if compared < 12 {
				t.Errorf("only %d parts seen by both models, want at least 12", compared)
			}
		})
	}
}

// torsoCentre is the mean of a pose's shoulders and hips.
func torsoCentre(p results.Pose) results.Point {
	var c results.Point
	for _, part := range []string{"leftShoulder", "rightShoulder", "leftHip", "rightHip"} {
		k, _ := keypointOf(p, part)
		c.X += k.Position.X / 4
		c.Y += k.Position.Y / 4
	}
	return c
}

func TestPoseMultiplePeople(t *testing.T) {
	e := testPoseEstimator(t, "posenet")
	cases := []struct {
		image string
		tol   float64
		// people are torso centres (between shoulders and hips), read off the photo by eye.
		people []results.Point
	}{
		{
			// Two people in blue hoodies walking away along the water's edge; the other
			// people on the beach are about 20 pixels tall, too small for PoseNet.
			image: "beach_people_kites.jpg", tol: 12,
			people: []results.Point{{X: 62, Y: 292}, {X: 108, Y: 333}},
		},
		{
			// Pedestrians crossing a New York street: a man in a grey hoodie before the taxi,
			// a woman with a fur hood, and a man in a dark jacket on the right.
			image: "street_coco_000000373353.jpg", tol: 15,
			people: []results.Point{{X: 323, Y: 336}, {X: 452, Y: 350}, {X: 544, Y: 343}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			poses := estimate(t, e, tc.image, PoseQuery{Multi: true})
			used := make([]bool, len(poses))
			for _, want := range tc.people {
				found := false
				for i, p := range poses {
					if !used[i] && distance(torsoCentre(p), want) <= tc.tol {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("no pose with its torso within %.0f px of (%.0f, %.0f)", tc.tol, want.X, want.Y)
				}
			}
			if t.Failed() {
				for i, p := range poses {
					c := torsoCentre(p)
					t.Logf("pose %d: score %.3f, torso at (%.0f, %.0f)", i, p.Score, c.X, c.Y)
				}
			}
		})
	}
}

func TestPoseNoPerson(t *testing.T) {
	// A cheeseburger: every model's best guess at a pose scores far below the default.
	for _, run := range []struct {
		model string
		multi bool
	}{{"posenet", false}, {"posenet", true}, {"movenet", false}} {
		e := testPoseEstimator(t, run.model)
		if poses := estimate(t, e, "burger.jpg", PoseQuery{Multi: run.multi}); len(poses) != 0 {
			t.Errorf("%s multi=%v: %d poses on a burger, best score %.3f", run.model, run.multi, len(poses), poses[0].Score)
		}
	}
}

func TestPoseQuery(t *testing.T) {
	posenet, movenet := testPoseEstimator(t, "posenet"), testPoseEstimator(t, "movenet")
	img := decodeImage(t, "street_coco_000000373353.jpg")
	ctx := context.Background()
	// MaxPoses cuts the count; the default is 5.
	poses, _, err := posenet.Estimate(ctx, img, PoseQuery{Multi: true, MaxPoses: 2})
	if err != nil || len(poses) != 2 {
		t.Fatalf("max 2: %d poses, %v", len(poses), err)
	}
	// A tiny MinScore keeps the weak poses the default drops.
	all, _, err := posenet.Estimate(ctx, img, PoseQuery{Multi: true, MaxPoses: MaxPosesLimit, MinScore: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	some, _, err := posenet.Estimate(ctx, img, PoseQuery{Multi: true, MaxPoses: MaxPosesLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(some) >= len(all) || some[len(some)-1].Score < DefaultPoseMinScore {
		t.Errorf("%d poses at the default min score (last %.3f), %d at 1e-6", len(some), some[len(some)-1].Score, len(all))
	}
	for _, q := range []PoseQuery{
		{MaxPoses: -1}, {MaxPoses: MaxPosesLimit + 1}, {MinScore: -0.1}, {MinScore: 1.5}, {MinScore: math.NaN()},
		{NMSRadius: -1}, {NMSRadius: math.Inf(1)}, {NMSRadius: math.NaN()},
	} {
		if _, _, err := posenet.Estimate(ctx, img, q); !errors.Is(err, ErrBadOption) {
			t.Errorf("query %+v: err %v, want ErrBadOption", q, err)
		}
	}
	if _, _, err := movenet.Estimate(ctx, img, PoseQuery{Multi: true}); !errors.Is(err, ErrBadOption) {
		t.Errorf("multi-pose MoveNet: err %v, want ErrBadOption", err)
	}
}

func TestNewPoseEstimatorRejectsOtherModels(t *testing.T) {
	m, _ := catalog.Lookup("mobilenet")
	if _, err := NewPoseEstimator(LoadOptions{}, m); !errors.Is(err, ErrBadModel) {
		t.Errorf("mobilenet as a pose model: err %v, want ErrBadModel", err)
	}
}
