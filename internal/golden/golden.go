// Package golden holds the expected results of visiond's models on the shared photos, in
// testdata/golden/<model>.json (photo name → results, in the JSON shapes of the API), and
// compares results with them: scores within 0.0015 (they are kept to 3 decimals), pixel
// coordinates within 1 px, labels and counts exactly. The files hold float-mode results;
// models whose catalog entry converts them otherwise by default (QDQ) are held to the rule
// that mode had to meet to become their default: scores within 0.01, boxes within 2 px,
// keypoints within 3 px, the same labels and counts.
//
// The files are written by the pipeline's TestGolden; regenerate them, after looking at what
// changed and why, with
//
//	VISIOND_UPDATE_GOLDEN=1 go test ./pipeline -run TestGolden
package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/models/catalog"
)

// UpdateEnv names the variable that makes Record write the golden files.
const UpdateEnv = "VISIOND_UPDATE_GOLDEN"

// Models are the models with golden results: every model of the catalog's default tasks.
var Models = []string{"coco-ssd", "mobilenet", "posenet", "movenet", "hands"}

// Photos are the shared photos with golden results: every one visiond decodes.
var Photos = []string{
	"airplane_airport_1280.jpg", "beach_people_kites.jpg", "burger.jpg", "cat_720p.jpg",
	"cats_and_dogs.jpg", "coffee_mug.jpg", "dogs_beagles.jpg", "hands.jpg", "parrot.jpg",
	"person_fullbody_pose.jpg", "person_squat.png", "space_shuttle.jpg", "street_coco_000000373353.jpg",
}

// tolerance is how far Check lets a result drift from its golden value.
type tolerance struct {
	score, pixel, keypoint float64
}

var (
	// exact is the tolerance of the mode the golden files were made in (float): what
	// rounding to 3 decimals and 0.1 px leaves.
	exact = tolerance{score: 0.0015, pixel: 1, keypoint: 1}
	// faithful is what a model whose catalog default converts it otherwise (QDQ) must keep
	// from the float results: scores within 0.01, boxes within 2 px, keypoints within 3 px,
	// the same classes.
	faithful = tolerance{score: 0.01, pixel: 2, keypoint: 3}
)

// toleranceOf is the tolerance of model's results in its catalog's default conversion mode.
func toleranceOf(model string) tolerance {
	if m, err := catalog.Lookup(model); err == nil && m.Convert == "qdq" {
		return faithful
	}
	return exact
}

// scoreKeys are the members that hold scores (kept to 3 decimals); every other number is a
// pixel coordinate (kept to 1 decimal).
var scoreKeys = map[string]bool{"score": true, "probability": true, "handInViewConfidence": true}

var (
	mu    sync.Mutex
	files = map[string]map[string]json.RawMessage{} // model → photo → results
)

// Updating reports whether the golden files are being rewritten.
func Updating() bool { return os.Getenv(UpdateEnv) == "1" }

// Check compares the results of model on photo (any value that marshals to the API's JSON
// shape) with the golden ones, failing t with every difference.
func Check(t testing.TB, model, photo string, results any) {
	t.Helper()
	want, ok := load(t, model)[photo]
	if !ok {
		t.Fatalf("golden: no results of %s on %s in %s (run %s=1 go test ./pipeline -run TestGolden)", model, photo, path(t, model), UpdateEnv)
	}
	got, err := normalise(results)
	if err != nil {
		t.Fatal(err)
	}
	var w any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("golden: %s: %v", path(t, model), err)
	}
	for _, d := range toleranceOf(model).diff("", "", got, w) {
		t.Errorf("golden %s on %s: %s", model, photo, d)
	}
}

// Record stores results as the golden ones of model on photo; Save writes them out.
func Record(t testing.TB, model, photo string, results any) {
	t.Helper()
	v, err := normalise(results)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	m := load(t, model)
	mu.Lock()
	m[photo] = b
	mu.Unlock()
}

// Save writes the golden file of model, photos in name order, one per line.
func Save(t testing.TB, model string) {
	t.Helper()
	m := load(t, model)
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("{\n")
	for i, name := range names {
		fmt.Fprintf(&b, "%q: %s", name, m[name])
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.WriteFile(path(t, model), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func path(t testing.TB, model string) string {
	return filepath.Join(testenv.Root(t), "testdata", "golden", model+".json")
}

// load reads the golden file of model once (an empty set when it does not exist yet and the
// files are being rewritten).
func load(t testing.TB, model string) map[string]json.RawMessage {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if m, ok := files[model]; ok {
		return m
	}
	m := map[string]json.RawMessage{}
	b, err := os.ReadFile(path(t, model))
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("golden: %s: %v", path(t, model), err)
		}
	case !(os.IsNotExist(err) && Updating()):
		t.Fatalf("golden: %v", err)
	}
	files[model] = m
	return m
}

// normalise turns results into generic JSON values with scores rounded to 3 decimals and
// coordinates to 1.
func normalise(results any) (any, error) {
	b, err := json.Marshal(results)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return round("", v), nil
}

func round(key string, v any) any {
	switch v := v.(type) {
	case float64:
		if scoreKeys[key] {
			return math.Round(v*1000) / 1000
		}
		return math.Round(v*10) / 10
	case []any:
		for i := range v {
			v[i] = round(key, v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = round(k, v[k])
		}
	}
	return v
}

// diff lists where got and want differ beyond the tolerances; at is the JSON path.
func (t tolerance) diff(at, key string, got, want any) []string {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		tol := t.pixel
		switch {
		case scoreKeys[key]:
			tol = t.score
		case key == "x" || key == "y": // a keypoint's position
			tol = t.keypoint
		}
		if !ok || math.Abs(g-w) > tol {
			return []string{fmt.Sprintf("%s = %v, want %v (±%v)", at, got, w, tol)}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s has %d items, want %d: %.300v", at, length(got), len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, t.diff(fmt.Sprintf("%s[%d]", at, i), key, g[i], w[i])...)
		}
		return out
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s = %.300v, want %.300v", at, got, w)}
		}
		var out []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, t.diff(at+"."+k, k, g[k], w[k])...)
		}
		return out
	default:
		if got != want {
			return []string{fmt.Sprintf("%s = %v, want %v", at, got, want)}
		}
	}
	return nil
}

func length(v any) int {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return -1
}
