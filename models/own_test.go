package models

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// sharedModel returns the bytes of a file in the shared models folder.
func sharedModel(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.Model(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// catalogModel returns load options for the catalog model name and its entry.
func catalogModel(t *testing.T, name string) (LoadOptions, catalog.Model) {
	t.Helper()
	m, err := catalog.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Store(t, name), Threads: 1}, m
}

// openPair opens, with open, the own model name of a folder of files and the catalog model
// ref; both are closed when the test ends.
func openPair[T io.Closer](t *testing.T, open func(LoadOptions, catalog.Model) (T, error), files map[string][]byte, name, ref string) (own, catalogs T) {
	t.Helper()
	own, err := open(ownModel(t, files, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { own.Close() })
	catalogs, err = open(catalogModel(t, ref))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catalogs.Close() })
	return own, catalogs
}

// ownModel writes files into a new models folder and looks up the own model name there.
func ownModel(t *testing.T, files map[string][]byte, name string) (LoadOptions, catalog.Model) {
	t.Helper()
	store := testmodels.OwnStore(t, files)
	m, err := store.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return LoadOptions{Engine: testmodels.Engine(t), Store: store, Threads: 1}, m
}

// TestOwnClassifierCustomLabels: the shared MobileNet v1 0.25 installed as "kitchen" with
// five labels of its own (testmodels.Kitchen) names each photo with them, at the
// probability the catalog model gives that class.
func TestOwnClassifierCustomLabels(t *testing.T) {
	store := testmodels.Kitchen(t, nil)
	m, err := store.Lookup("kitchen")
	if err != nil {
		t.Fatal(err)
	}
	o := LoadOptions{Engine: testmodels.Engine(t), Store: store, Threads: 1}
	own, err := NewClassifier(o, m)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	ref, err := NewClassifier(catalogModel(t, "mobilenet-v1-0.25"))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()

	for _, tc := range []struct{ image, want, imagenet string }{
		{"burger.jpg", "burger", "cheeseburger"},
		{"coffee_mug.jpg", "mug", "coffee mug"},
		{"space_shuttle.jpg", "rocket plane", "space shuttle"},
		{"parrot.jpg", "parrot", "macaw"},
		{"dogs_beagles.jpg", "hound", "beagle"},
	} {
		img := decodeImage(t, tc.image)
		got, _, err := own.Classify(context.Background(), img, 5)
		if err != nil {
			t.Fatal(err)
		}
		all, _, _ := ref.Classify(context.Background(), img, 1001)
		var want float64
		for _, c := range all {
			if c.ClassName == tc.imagenet {
				want = c.Probability
			}
		}
		if len(got) != 5 || got[0].ClassName != tc.want || got[0].Probability != want {
			t.Errorf("%s: %+v, want %s first at %v (the catalog model's %s)", tc.image, got, tc.want, want, tc.imagenet)
		}
	}
	if _, _, err := own.Classify(context.Background(), decodeImage(t, "burger.jpg"), 6); err == nil || !strings.Contains(err.Error(), "between 1 and 5") {
		t.Errorf("top 6 of 5 labels: %v", err)
	}
}

// TestOwnDetectorRenamedLabelMap: the shared SSD file installed as a card with the COCO
// label map (.pbtxt, ids from 1) renaming three classes detects the street photo as the
// catalog model does, under the new names.
func TestOwnDetectorRenamedLabelMap(t *testing.T) {
	rename := map[string]string{"person": "pedestrian", "bus": "coach", "car": "automobile"}
	pbtxt := string(sharedModel(t, "mscoco_label_map.pbtxt"))
	for old, new := range rename {
		pbtxt = strings.Replace(pbtxt, `display_name: "`+old+`"`, `display_name: "`+new+`"`, 1)
	}
	o, m := ownModel(t, map[string][]byte{
		"street.yaml":   []byte("name: street\ntask: detect\nfile: street.tflite\nlabels: {file: street.pbtxt, offset: 1}\noutput: {decoder: tflite_detection_postprocess}\n"),
		"street.tflite": sharedModel(t, "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite"),
		"street.pbtxt":  []byte(pbtxt),
	}, "street")
	own, err := NewDetector(o, m)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	img := decodeImage(t, "street_coco_000000373353.jpg")
	q := DetectQuery{MinScore: 0.3, Max: 50}
	got, _, err := own.Detect(context.Background(), img, q)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := testDetector(t).Detect(context.Background(), img, q)
	if err != nil {
		t.Fatal(err)
	}
	renamed := make([]results.Detection, len(want))
	seen := map[string]bool{}
	for i, d := range want {
		if n, ok := rename[d.Class]; ok {
			d.Class = n
		}
		renamed[i], seen[d.Class] = d, true
	}
	if !reflect.DeepEqual(got, renamed) {
		t.Errorf("own detector:\n%+v\nwant the catalog model's, renamed:\n%+v", got, renamed)
	}
	if !seen["pedestrian"] || !seen["coach"] {
		t.Errorf("the street photo's people and bus are not among %+v", got)
	}
	if _, _, err := own.Detect(context.Background(), img, DetectQuery{Classes: []string{"person"}}); err == nil {
		t.Error("the old name person is still a class")
	}
}

// TestOwnONNXClassifier: an ONNX file the converter wrote, installed as .onnx with a card,
// classifies as its TFLite source does.
func TestOwnONNXClassifier(t *testing.T) {
	src := filepath.Join(t.TempDir(), "m.tflite")
	if err := os.WriteFile(src, sharedModel(t, "mobilenet_v1_0.25_224_quant.tflite"), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := convert.LoadFile(src, convert.Float)
	if err != nil {
		t.Fatal(err)
	}
	own, ref := openPair(t, NewClassifier, map[string][]byte{
		"small.yaml": []byte("name: small\ntask: classify\nfile: small.onnx\nlabels: {file: small.txt}\n"),
		"small.onnx": loaded.ONNX,
		"small.txt":  sharedModel(t, "imagenet_labels_1001.txt"),
	}, "small", "mobilenet-v1-0.25")
	for _, tc := range classifyCases {
		img := decodeImage(t, tc.image)
		got, _, err := own.Classify(context.Background(), img, 3)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := ref.Classify(context.Background(), img, 3)
		if len(got) != 3 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ONNX %+v, TFLite %+v", tc.image, got, want)
		}
	}
}

// TestOwnLabelErrors: a labels file that does not fit the model is an error naming the
// card field.
func TestOwnLabelErrors(t *testing.T) {
	graph := sharedModel(t, "mobilenet_v1_0.25_224_quant.tflite")
	for _, tc := range []struct {
		name, labels, card string
		want               []string
	}{
		{"fewer lines than classes", "cat\ndog\n", "", []string{"labels.file:", "x.txt has 2 lines, fewer than the model's 1001 classes"}},
		{"offset past the lines", strings.Repeat("a\n", 1001), ", offset: 1", []string{"labels.file:", "1001 lines, fewer than the model's 1001 classes (with labels.offset 1, 1002 lines)"}},
		{"an id beyond the classes", "5 cat\n1001 dog\n", ", format: id_label", []string{"labels.file:", "id 1001 names no class of the model (it has 1001"}},
		{"an id twice", "5 cat\n5 dog\n", ", format: id_label", []string{"labels.file:", "line 2: id 5 named twice"}},
		{"a label map without items", "# nothing\n", ", format: pbtxt", []string{"labels.file:", "no item { id: .. display_name: .. } blocks"}},
		{"empty", "", "", []string{"x.txt: empty file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, m := ownModel(t, map[string][]byte{
				"x.yaml":   []byte("name: x\ntask: classify\nfile: x.tflite\nlabels: {file: x.txt" + tc.card + "}\n"),
				"x.tflite": graph,
				"x.txt":    []byte(tc.labels),
			}, "x")
			c, err := NewClassifier(o, m)
			if err == nil {
				c.Close()
				t.Fatal("loaded, want an error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// TestOwnPackedLabels: a card without labels takes those that TFLite metadata packs in the
// model file (the shared MobileNet v1 0.25 packs labels.txt); a model that packs none is an
// error naming the field.
func TestOwnPackedLabels(t *testing.T) {
	card := []byte("name: packed\ntask: classify\nfile: packed.tflite\n")
	o, m := ownModel(t, map[string][]byte{"packed.yaml": card, "packed.tflite": sharedModel(t, "mobilenet_v1_0.25_224_quant.tflite")}, "packed")
	c, err := NewClassifier(o, m)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, _, err := c.Classify(context.Background(), decodeImage(t, "burger.jpg"), 1)
	if err != nil || len(got) != 1 || got[0].ClassName != "cheeseburger" || len(c.Labels()) != 1001 {
		t.Errorf("burger.jpg with packed labels: %+v, %d labels, %v", got, len(c.Labels()), err)
	}

	o, m = ownModel(t, map[string][]byte{"packed.yaml": card, "packed.tflite": sharedModel(t, "mobilenet_v2_1.0_224_quant.tflite")}, "packed")
	if _, err := NewClassifier(o, m); err == nil || !strings.Contains(err.Error(), "labels: missing, and packed.tflite packs no labels file") {
		t.Errorf("no labels anywhere: %v", err)
	}
}

// TestOwnPoseModel: the MoveNet file under a card of its own (task pose, letterbox) finds
// the same keypoints as the catalog's movenet.
func TestOwnPoseModel(t *testing.T) {
	own, ref := openPair(t, NewPoseEstimator, map[string][]byte{
		"dancer.yaml":   []byte("name: dancer\ntask: pose\nfile: dancer.tflite\ninput: {resize: letterbox}\n"),
		"dancer.tflite": sharedModel(t, "movenet_singlepose_lightning_int8_4.tflite"),
	}, "dancer", "movenet")
	img := decodeImage(t, "person_fullbody_pose.jpg")
	got, _, err := own.Estimate(context.Background(), img, PoseQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := ref.Estimate(context.Background(), img, PoseQuery{})
	if len(got) != 1 || len(got[0].Keypoints) != 17 || !reflect.DeepEqual(got, want) {
		t.Errorf("own MoveNet: %+v\nwant the catalog's: %+v", got, want)
	}
}
