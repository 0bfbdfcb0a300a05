package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/models/preprocess"
)

// TestCatalogCardsKeepTheirBehaviour: the embedded cards give the values the catalog ran
// with before it was made of cards.
func TestCatalogCardsKeepTheirBehaviour(t *testing.T) {
	type want struct {
		fit        preprocess.Fit
		mean, std  float32
		w, h       int
		decoder    Decoder
		offset     int
		graphs     int
		labels     string
		firstGraph string
	}
	wants := map[string]want{
		"coco-ssd":                {preprocess.Stretch, 0, 1, 300, 300, DecodeSSD, 1, 1, "coco_ssd_mobilenet_v1_labelmap.txt", "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite"},
		"mobilenet":               {preprocess.Stretch, 0, 1, 224, 224, DecodeClassifier, 0, 1, "imagenet_labels_1001.txt", "mobilenet_v2_1.0_224_quant.tflite"},
		"mobilenet-v1-0.25":       {preprocess.Stretch, 0, 1, 224, 224, DecodeClassifier, 0, 1, "imagenet_labels_1001.txt", "mobilenet_v1_0.25_224_quant.tflite"},
		"mobilenet-v1-0.25-float": {preprocess.Stretch, 127.5, 127.5, 224, 224, DecodeClassifier, 0, 1, "imagenet_labels_1001.txt", "mobilenet_v1_0.25_224_float.tflite"},
		"posenet":                 {preprocess.Stretch, 0, 1, 641, 481, "", 0, 1, "", "posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite"},
		"movenet":                 {preprocess.Letterbox, 0, 1, 192, 192, "", 0, 1, "", "movenet_singlepose_lightning_int8_4.tflite"},
		"hands":                   {preprocess.Letterbox, 0, 255, 192, 192, "", 0, 2, "", "palm_detection_lite.tflite"},
	}
	if len(Catalog()) != len(wants) {
		t.Errorf("catalog has %d models, want %d", len(Catalog()), len(wants))
	}
	for _, m := range Catalog() {
		w, ok := wants[m.Name]
		labels := ""
		if m.Labels != nil {
			labels = m.Labels.Name
		}
		if !ok || m.Fit != w.fit || m.Mean != w.mean || m.Std != w.std || m.InputWidth != w.w || m.InputHeight != w.h ||
			m.Decoder != w.decoder || m.LabelOffset != w.offset || len(m.Graphs) != w.graphs || labels != w.labels ||
			m.Graphs[0].Name != w.firstGraph || m.Own || (m.Labels != nil && m.LabelFormat != LabelLines) {
			t.Errorf("%s: %+v, want %+v", m.Name, m, w)
		}
	}
}

// goodCard is a valid own detector card; the validation cases change one thing in it.
const goodCard = `name: birds
task: detect
file: {name: birds.tflite, sha256: e480eb15572f86d3d5f1be6e83e35b3c7d509ab2bcec353707d1f614e14edca2}
labels: {file: birds.pbtxt, offset: 1}
input: {resize: letterbox, range: [-1, 1]}
output: {decoder: boxes_classes_scores, boxes: b, classes: c, scores: s, count: n}
convert: qdq
`

func TestParseCard(t *testing.T) {
	m, err := ParseCard([]byte(goodCard))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "birds" || m.Task != TaskDetect || m.Graphs[0].Name != "birds.tflite" || m.Labels.Name != "birds.pbtxt" ||
		m.LabelFormat != LabelPbtxt || m.LabelOffset != 1 || m.Fit != preprocess.Letterbox || m.Decoder != DecodeBoxes ||
		m.Outputs != (Outputs{Boxes: "b", Classes: "c", Scores: "s", Count: "n"}) || m.Convert != "qdq" {
		t.Errorf("parsed %+v", m)
	}
	// range [-1, 1]: pixel 0 is -1 and 255 is 1.
	if lo, hi := (0-m.Mean)/m.Std, (255-m.Mean)/m.Std; lo != -1 || hi != 1 {
		t.Errorf("range [-1, 1] maps 0..255 to %v..%v", lo, hi)
	}
}

// TestParseCardErrors: every field's error names it.
func TestParseCardErrors(t *testing.T) {
	change := func(old, new string) string {
		if !strings.Contains(goodCard, old) {
			t.Fatalf("goodCard lacks %q", old)
		}
		return strings.Replace(goodCard, old, new, 1)
	}
	tests := []struct {
		name, card string
		want       []string
	}{
		{"empty", "", []string{"empty card"}},
		{"not yaml", "name: [", []string{"bad model card", "yaml"}},
		{"unknown key", goodCard + "colour: red\n", []string{"field colour not found"}},
		{"bad name", change("name: birds", "name: ../Birds"), []string{"name:", `"../Birds"`}},
		{"bad task", change("task: detect", "task: segment"), []string{"task: must be detect, classify, pose or hands", `"segment"`}},
		{"no file", change("file: {name: birds.tflite, sha256: e480eb15572f86d3d5f1be6e83e35b3c7d509ab2bcec353707d1f614e14edca2}", ""), []string{"file: missing"}},
		{"file in a folder", change("name: birds.tflite", "name: ../birds.tflite"), []string{"file:", "plain file name"}},
		{"not tflite or onnx", change("name: birds.tflite", "name: birds.pt"), []string{"file:", `"birds.pt" is not a .tflite or .onnx file`}},
		{"bad sha256", change("sha256: e480", "sha256: E480"), []string{"file:", "64 lower-case hex digits"}},
		{"bad label format", change("offset: 1}", "offset: 1, format: csv}"), []string{"labels.format:", `"csv"`}},
		{"bad resize", change("resize: letterbox", "resize: crop"), []string{"input.resize:", `"crop"`}},
		{"bad range", change("range: [-1, 1]", "range: [1, -1]"), []string{"input.range:", "min < max"}},
		{"range and mean", change("range: [-1, 1]", "range: [-1, 1], mean: 3"), []string{"input.range: give range or mean and std"}},
		{"zero std", change("range: [-1, 1]", "std: 0"), []string{"input.std:", "other than 0"}},
		{"bad decoder", change("decoder: boxes_classes_scores", "decoder: yolo"), []string{"output.decoder:", `"yolo"`}},
		{"boxes unnamed", change("boxes: b, ", ""), []string{"output.boxes: missing"}},
		{"outputs without their decoder", change("decoder: boxes_classes_scores", "decoder: tflite_detection_postprocess"), []string{"output: boxes, classes, scores and count are for the boxes_classes_scores decoder only"}},
		{"bad convert", change("convert: qdq", "convert: int4"), []string{"convert:", `"int4"`}},
		{"pose with labels", change("task: detect", "task: pose"), []string{"labels: a pose model has no labels"}},
		{"two errors", change("task: detect", "task: x") + "", []string{"task:", "output.decoder:"}},
		{"too big", goodCard + "# " + strings.Repeat("x", MaxCardBytes) + "\n", []string{"more than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCard([]byte(tt.card))
			if !errors.Is(err, ErrBadCard) {
				t.Fatalf("ParseCard = %v, want ErrBadCard", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// TestStoreOwnModels: Add copies the files in under the model's name with their checksums
// and writes the card; Lookup and Own find it; a bad card is listed with its error and
// never hides the good ones; Remove deletes the card and its files.
func TestStoreOwnModels(t *testing.T) {
	src := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	store := Store{Dir: filepath.Join(t.TempDir(), "models")}
	card := Card{Name: "plants", Task: TaskClassify, Labels: &CardLabels{Format: LabelIDs}}
	m, err := store.Add(card, write("model.TFLITE", "graph bytes"), write("names.txt", "3 fern\n7 oak\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := smallFile("plants.tflite", "graph bytes")
	if !m.Own || m.Graphs[0] != want || m.Labels.Name != "plants.labels.txt" || m.LabelFormat != LabelIDs {
		t.Errorf("Add = %+v", m)
	}
	if state, err := store.State(m); state != Installed || err != nil {
		t.Errorf("State = %v, %v", state, err)
	}
	if got, err := store.Lookup("plants"); err != nil || got.Graphs[0] != want || !got.Own {
		t.Errorf("Lookup = %+v, %v", got, err)
	}
	if _, err := store.Add(card, write("other.tflite", "x"), write("n2.txt", "1 a\n")); err == nil || !strings.Contains(err.Error(), `"plants" exists`) {
		t.Errorf("second Add of plants = %v, want an error", err)
	}
	if _, err := store.Add(Card{Name: "mobilenet", Task: TaskClassify}, write("m.tflite", "x"), ""); err == nil {
		t.Error("Add under a catalog name succeeded")
	}

	os.WriteFile(filepath.Join(store.Dir, "broken.yaml"), []byte("name: broken\ntask: dance\nfile: b.tflite\n"), 0o644)
	os.WriteFile(filepath.Join(store.Dir, "renamed.yaml"), []byte("name: other\ntask: pose\nfile: b.tflite\n"), 0o644)
	own, err := store.Own()
	if err != nil || len(own) != 3 {
		t.Fatalf("Own = %+v, %v", own, err)
	}
	if own[0].Name != "broken" || !errors.Is(own[0].Err, ErrBadCard) || !strings.Contains(own[0].Err.Error(), "task:") {
		t.Errorf("broken card: %+v", own[0])
	}
	if own[1].Name != "plants" || own[1].Err != nil {
		t.Errorf("plants: %+v", own[1])
	}
	if own[2].Name != "renamed" || own[2].Err == nil || !strings.Contains(own[2].Err.Error(), "name: \"other\" must be the card's file name") {
		t.Errorf("renamed card: %+v", own[2])
	}
	if _, err := store.Lookup("nothing"); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("Lookup(nothing) = %v", err)
	}

	if err := store.Remove("plants"); err != nil {
		t.Fatal(err)
	}
	if err := store.Remove("mobilenet"); err == nil {
		t.Error("Remove of a catalog model succeeded")
	}
	if err := store.Remove("plants"); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("second Remove = %v, want ErrUnknownModel", err)
	}
	if got := dirNames(t, store.Dir); strings.Join(got, " ") != "broken.yaml renamed.yaml" {
		t.Errorf("after Remove the models dir holds %v", got)
	}
}
