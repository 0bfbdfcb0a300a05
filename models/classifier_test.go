package models

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"image"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

func decodeImage(t testing.TB, name string) image.Image {
	t.Helper()
	return decodeAtLeast(t, name, math.MaxInt, math.MaxInt)
}

// decodeAtLeast decodes a shared photo as the daemon does for a model of input w×h.
func decodeAtLeast(t testing.TB, name string, w, h int) image.Image {
	t.Helper()
	data, err := os.ReadFile(testenv.Image(t, name))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := preprocess.DecodeAtLeast(data, preprocess.DefaultLimits, w, h)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// What each photo shows, by looking at it; a second acceptable class where the photo fits two.
var classifyCases = []struct {
	image string
	want  []string
}{
	{"burger.jpg", []string{"cheeseburger"}},
	{"parrot.jpg", []string{"macaw"}},
	{"coffee_mug.jpg", []string{"coffee mug", "cup"}},
	{"space_shuttle.jpg", []string{"space shuttle"}},
}

func TestClassifyRealPhotos(t *testing.T) {
	eng := testmodels.Engine(t)
	store := testmodels.Store(t, "mobilenet", "mobilenet-v1-0.25", "mobilenet-v1-0.25-float")
	top1 := map[string]map[string]string{} // model -> image -> class
	for _, name := range []string{"mobilenet", "mobilenet-v1-0.25", "mobilenet-v1-0.25-float"} {
		for _, mode := range []convert.Mode{convert.Float, convert.QDQ} {
			m, _ := catalog.Lookup(name)
			if m.Mean != 0 && mode == convert.QDQ {
				continue // a float graph converts the same way in both modes
			}
			c, err := NewClassifier(LoadOptions{Engine: eng, Store: store, Mode: mode}, m)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			top1[name] = map[string]string{}
			for _, tc := range classifyCases {
				res, _, err := c.Classify(context.Background(), decodeImage(t, tc.image), 3)
				if err != nil {
					t.Fatalf("%s %s: %v", name, tc.image, err)
				}
				if len(res) != 3 || res[0].Probability < res[1].Probability || res[1].Probability < res[2].Probability {
					t.Errorf("%s %s: results not 3 in falling order: %+v", name, tc.image, res)
				}
				top1[name][tc.image] = res[0].ClassName
				if name == "mobilenet" && !contains(tc.want, res[0].ClassName) {
					t.Errorf("%s (%v) %s: top-1 %q (%.2f), want one of %v", name, mode, tc.image, res[0].ClassName, res[0].Probability, tc.want)
				}
			}
			c.Close()
		}
	}
	// The small MobileNet v1 files must agree with v2 on at least two of the photos.
	for _, small := range []string{"mobilenet-v1-0.25", "mobilenet-v1-0.25-float"} {
		agree := 0
		for img, class := range top1["mobilenet"] {
			if top1[small][img] == class {
				agree++
			}
		}
		if agree < 2 {
			t.Errorf("%s agrees with mobilenet on %d photos (%v vs %v), want at least 2", small, agree, top1[small], top1["mobilenet"])
		}
	}
}

func TestClassifyTopOption(t *testing.T) {
	eng := testmodels.Engine(t)
	m, _ := catalog.Lookup("mobilenet-v1-0.25")
	c, err := NewClassifier(LoadOptions{Engine: eng, Store: testmodels.Store(t, m.Name)}, m)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := decodeImage(t, "burger.jpg")
	for _, tc := range []struct {
		top, want int
		ok        bool
	}{{0, DefaultTop, true}, {1, 1, true}, {1001, 1001, true}, {-1, 0, false}, {1002, 0, false}} {
		res, _, err := c.Classify(context.Background(), img, tc.top)
		if (err == nil) != tc.ok || len(res) != tc.want {
			t.Errorf("top=%d: %d results, err %v", tc.top, len(res), err)
		}
	}
}

func TestProbabilities(t *testing.T) {
	// Already a distribution: kept as is.
	p := probabilities([]float32{0.25, 0.75})
	if p[0] != 0.25 || p[1] != 0.75 {
		t.Errorf("distribution changed: %v", p)
	}
	// Logits 0 and ln 3: softmax gives 1/4 and 3/4.
	p = probabilities([]float32{0, 1.0986123})
	if d := p[1] - 0.75; d > 1e-6 || d < -1e-6 {
		t.Errorf("softmax of logits = %v, want [0.25 0.75]", p)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestTopK(t *testing.T) {
	p := []float64{0.1, 0.5, 0.2, 0.5, 0.05, 0.15}
	labels := []string{"a", "b", "c", "d", "e", "f"}
	cases := []struct {
		k    int
		want string
	}{
		{1, "b"},
		{3, "b d c"},       // the tie between b and d goes to the lower index
		{6, "b d c f a e"}, // everything, in order
		{9, "b d c f a e"}, // more than there are
	}
	for _, c := range cases {
		var got []string
		for _, r := range topK(p, labels, c.k) {
			got = append(got, r.ClassName)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("top %d: %v, want %s", c.k, got, c.want)
		}
	}
}
