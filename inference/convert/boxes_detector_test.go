package convert_test

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// boxesCard is the card of convert.BoxesDetector; sparrow is class 0, robin class 1.
const boxesCard = `name: birds
task: detect
file: birds.tflite
labels: {file: birds.txt}
input: {range: [0, 1]}
output: {decoder: boxes_classes_scores, boxes: boxes, classes: classes, scores: scores, count: count}
`

// loadOwn loads the own model called name, a detector or a classifier, from a folder of
// files.
func loadOwn(t *testing.T, files map[string][]byte, name string) (io.Closer, error) {
	t.Helper()
	store := testmodels.OwnStore(t, files)
	m, err := store.Lookup(name)
	if err != nil {
		return nil, err
	}
	o := models.LoadOptions{Engine: testmodels.Engine(t), Store: store, Threads: 1}
	var loaded io.Closer
	if m.Task == catalog.TaskClassify {
		loaded, err = models.NewClassifier(o, m)
	} else {
		loaded, err = models.NewDetector(o, m)
	}
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { loaded.Close() })
	return loaded, nil
}

func uniform(w, h int, c color.Gray) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// TestBoxesClassesScoresDetector: a detector that outputs its own boxes, classes, scores
// and count decodes as its card says. On a white 100×50 image the rows are (box, class,
// score): (0.1 0.2 0.5 0.6, robin, 0.9), (0.5 0.5 0.9 1.2, sparrow, 0.6), (class 7, which no
// label names, 0.8) and a fourth row beyond the count of 3.
func TestBoxesClassesScoresDetector(t *testing.T) {
	loaded, err := loadOwn(t, map[string][]byte{
		"birds.yaml": []byte(boxesCard), "birds.tflite": convert.BoxesDetector(), "birds.txt": []byte("sparrow\nrobin\n"),
	}, "birds")
	if err != nil {
		t.Fatal(err)
	}
	d := loaded.(*models.Detector)
	got, _, err := d.Detect(context.Background(), uniform(100, 50, color.Gray{255}), models.DetectQuery{MinScore: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := []results.Detection{
		// y 0.1..0.5 of 50 px, x 0.2..0.6 of 100 px.
		{BBox: [4]float64{20, 5, 40, 20}, Class: "robin", Score: 0.9},
		// x 0.5..1.2 is clipped to the image: 50..100.
		{BBox: [4]float64{50, 25, 50, 20}, Class: "sparrow", Score: 0.6},
	}
	if !closeDetections(got, want) {
		t.Errorf("white image: %+v, want %+v", got, want)
	}
	if got, _, _ := d.Detect(context.Background(), uniform(100, 50, color.Gray{255}), models.DetectQuery{MinScore: 0.5, Classes: []string{"sparrow"}}); len(got) != 1 || got[0].Class != "sparrow" {
		t.Errorf("classes=sparrow: %+v", got)
	}
	if got, _, _ := d.Detect(context.Background(), uniform(100, 50, color.Gray{0}), models.DetectQuery{MinScore: 0.01}); len(got) != 0 {
		t.Errorf("black image (all scores 0): %+v, want nothing", got)
	}
}

// closeDetections compares detections, scores within float32 rounding.
func closeDetections(got, want []results.Detection) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Class != w.Class || !reflect.DeepEqual(g.BBox, w.BBox) || g.Score-w.Score > 1e-6 || w.Score-g.Score > 1e-6 {
			return false
		}
	}
	return true
}

// TestOwnModelLoadErrors: a card whose file does not fit it is an error naming the card
// field, for the converter's test models.
func TestOwnModelLoadErrors(t *testing.T) {
	card := func(old, new string) []byte { return []byte(strings.Replace(boxesCard, old, new, 1)) }
	tests := []struct {
		name  string
		files map[string][]byte
		want  []string
	}{
		{"an output the model lacks", map[string][]byte{"birds.yaml": card("boxes: boxes", "boxes: locations")},
			[]string{"output.boxes:", `no output "locations"`, "boxes", "classes"}},
		{"boxes that are not [N,4]", map[string][]byte{"birds.yaml": card("boxes: boxes", "boxes: scores")},
			[]string{"output.boxes:", `"scores" has shape [1 4], want [1, N, 4]`}},
		{"classes that do not fit the scores", map[string][]byte{"birds.yaml": card("classes: classes", "classes: count")},
			[]string{"output.classes:", `"count" has 1 values, want one per score (4)`}},
		{"a count of several values", map[string][]byte{"birds.yaml": card("count: count", "count: classes")},
			[]string{"output.count:", `"classes" has shape [1 4], want one value`}},
		{"SSD decoder on a graph without the SSD operator", map[string][]byte{"birds.yaml": card(
			"output: {decoder: boxes_classes_scores, boxes: boxes, classes: classes, scores: scores, count: count}", "output: {decoder: tflite_detection_postprocess}")},
			[]string{"output.decoder:", "no TFLite_Detection_PostProcess operator"}},
		{"an operator the converter does not support", map[string][]byte{"birds.yaml": []byte(strings.NewReplacer("task: detect", "task: classify", "output: {decoder: boxes_classes_scores, boxes: boxes, classes: classes, scores: scores, count: count}", "").Replace(boxesCard)), "birds.tflite": convert.ExpClassifier()},
			[]string{"file:", "birds.tflite", "not supported by the converter: EXP"}},
		{"not a TFLite file", map[string][]byte{"birds.tflite": []byte("#!/bin/sh\necho not a model\n")},
			[]string{"file:", "birds.tflite", "not a TFLite file"}},
		{"not an ONNX file", map[string][]byte{"birds.yaml": card("file: birds.tflite", "file: birds.onnx"), "birds.onnx": []byte("not protobuf at all")},
			[]string{"file: birds.onnx is not a model ONNX Runtime can load"}},
		{"an id_label line without an id", map[string][]byte{"birds.yaml": card("file: birds.txt}", "file: birds.txt, format: id_label}"), "birds.txt": []byte("0 sparrow\n1 robin\nx wren\n")},
			[]string{"labels.file:", "birds.txt", `line 3: "x wren" is not "ID LABEL"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{"birds.yaml": []byte(boxesCard), "birds.tflite": convert.BoxesDetector(), "birds.txt": []byte("sparrow\nrobin\n")}
			for name, data := range tt.files {
				files[name] = data
			}
			_, err := loadOwn(t, files, "birds")
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

// TestMetadataNormalization: a float classifier whose card gives no normalisation takes the
// one its TFLite metadata gives; a card's own range wins; without either, pixels go in as
// they are. convert.ChannelClassifier scores each class by the mean of its channel, so an
// orange (255, 128, 0) image scores (255, 128, 0) normalised, and the probabilities are
// those scores' softmax.
func TestMetadataNormalization(t *testing.T) {
	softmaxRed := func(r, g, b float64) float64 { return math.Exp(r) / (math.Exp(r) + math.Exp(g) + math.Exp(b)) }
	one := func(v float32) []float32 { return []float32{v} }
	for _, tc := range []struct {
		name    string
		model   []byte
		input   string
		wantRed float64
		wantErr string
	}{
		{"metadata: mean 0, std 255", convert.ChannelClassifier(one(0), one(255)), "", softmaxRed(1, 128.0/255, 0), ""},
		{"the card's range over the metadata", convert.ChannelClassifier(one(0), one(255)), "input: {range: [0, 2]}\n", softmaxRed(2, 2*128.0/255, 0), ""},
		{"neither", convert.ChannelClassifier(nil, nil), "", softmaxRed(255, 128, 0), ""},
		{"metadata per channel", convert.ChannelClassifier([]float32{0, 0, 10}, one(255)), "", 0,
			"input: the file's metadata normalises by mean [0 0 10] and std [255], not one mean and std for all channels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loaded, err := loadOwn(t, map[string][]byte{
				"colors.yaml":   []byte("name: colors\ntask: classify\nfile: colors.tflite\nlabels: {file: colors.txt}\n" + tc.input),
				"colors.tflite": tc.model,
				"colors.txt":    []byte("red\ngreen\nblue\n"),
			}, "colors")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("load: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			orange := image.NewRGBA(image.Rect(0, 0, 8, 8))
			draw.Draw(orange, orange.Bounds(), image.NewUniform(color.RGBA{255, 128, 0, 255}), image.Point{}, draw.Src)
			got, _, err := loaded.(*models.Classifier).Classify(context.Background(), orange, 1)
			if err != nil || len(got) != 1 || got[0].ClassName != "red" || math.Abs(got[0].Probability-tc.wantRed) > 1e-4 {
				t.Errorf("orange: %+v, %v; want red at %.5f", got, err, tc.wantRed)
			}
		})
	}
}
