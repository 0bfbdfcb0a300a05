package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// TestOwnModelCommands: models add installs a model of one's own with a card and labels,
// list shows it, the classify command serves it by name, remove deletes it; a model that
// does not fit its card is not installed, and an unusable card is listed as invalid.
func TestOwnModelCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	src := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lib := testenv.ORTLibrary(t)
	labels := write("kitchen-labels.txt", "934 burger\n505 mug\n813 rocket plane\n89 parrot\n163 hound\n")
	card := write("draft.yaml", "name: whatever\ntask: classify\nfile: x.tflite\nlabels: {file: l.txt, format: id_label}\ndescription: five kitchen things\n")
	small := testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite")

	out, err := runModels(t, "add", "kitchen", small, "--dir", dir, "--ort-lib="+lib, "--labels", labels, "--card", card)
	if err != nil || !strings.Contains(out, "kitchen: installed") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	// add loaded the model once: its conversion is cached.
	if got := dirFiles(t, dir); len(got) != 4 || !slices.Equal(slices.Delete(got, 2, 3), []string{"kitchen.labels.txt", "kitchen.tflite", "kitchen.yaml"}) {
		t.Errorf("models dir after add: %v", got)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"classify", "--dir", dir, "--ort-lib", lib, "--model", "kitchen", "--top", "1", testenv.Image(t, "burger.jpg")}, &stdout, &stderr); err != nil ||
		!strings.Contains(stdout.String(), `"className":"burger"`) || !strings.Contains(stdout.String(), `"model":"kitchen"`) {
		t.Errorf("classify --model kitchen: %v\n%s", err, stdout.String())
	}

	_, err = runModels(t, "add", "--dir", dir, "--ort-lib", lib, "--labels", labels, "kitchen", small)
	if err == nil || !strings.Contains(err.Error(), `"kitchen" exists`) {
		t.Errorf("second add: %v", err)
	}
	ssd := testenv.Model(t, "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite")
	_, err = runModels(t, "add", "--dir", dir, "--ort-lib", lib, "--task", "classify", "--labels", labels, "boxes", ssd)
	if err == nil || !strings.Contains(err.Error(), "boxes does not fit its card, not installed") || !strings.Contains(err.Error(), "output.decoder") {
		t.Errorf("add of a detector as a classifier: %v", err)
	}
	_, err = runModels(t, "add", "--dir", dir, "--ort-lib", lib, "--labels", labels, "notes", labels)
	if err == nil || !strings.Contains(err.Error(), `file: "notes.txt" is not a .tflite or .onnx file`) {
		t.Errorf("add of a text file: %v", err)
	}
	_, err = runModels(t, "add", "--dir", dir, "--ort-lib", lib, "--card", card, "nolabels", small)
	if err == nil || !strings.Contains(err.Error(), "the card names a labels file (l.txt): give it with --labels") {
		t.Errorf("add with a card naming labels, without --labels: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("name: broken\ntask: classify\n"), 0o644)

	list, err := runModels(t, "list", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	col := installedColumn(t, list)
	if col["kitchen"] != "yes" || col["broken"] != "invalid" || col["boxes"] != "" || col["coco-ssd"] != "no" ||
		!strings.Contains(list, "own: five kitchen things") || !strings.Contains(list, "file: missing") {
		t.Errorf("list:\n%s", list)
	}

	if out, err := runModels(t, "remove", "--dir", dir, "kitchen"); err != nil || !strings.Contains(out, "kitchen: removed") {
		t.Errorf("remove: %v %s", err, out)
	}
	if _, err := runModels(t, "remove", "--dir", dir, "coco-ssd"); err == nil || !strings.Contains(err.Error(), "catalog model") {
		t.Errorf("remove of a catalog model: %v", err)
	}
	if got := dirFiles(t, dir); !slices.Equal(got, []string{"broken.yaml"}) {
		t.Errorf("models dir after remove: %v", got)
	}
}

// TestModelsInspect: inspect reads a TFLite file's inputs, outputs, operators and whether it
// converts, and drafts a card; a file that is not TFLite is an error.
func TestModelsInspect(t *testing.T) {
	out, err := runModels(t, "inspect", testenv.Model(t, "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"normalized_input_image_tensor uint8 [1 300 300 3] quantised: real = 0.0078125 × (q - 128)",
		"TFLite_Detection_PostProcess:3 float32", "CONV_2D×34", "TFLite_Detection_PostProcess×1", "converts: yes",
		"task: detect", "decoder: tflite_detection_postprocess", "width: 300",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	out, err = runModels(t, "inspect", testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite"))
	if err != nil || !strings.Contains(out, "files packed in the model (metadata): labels.txt (10484 bytes)") ||
		!strings.Contains(out, "input normalisation (metadata): mean [127.5], std [127.5]") ||
		!strings.Contains(out, "task: classify") || strings.Contains(out, "labels:") {
		t.Errorf("inspect of a model packing its labels: %v\n%s", err, out)
	}
	if _, err := runModels(t, "inspect", testenv.Model(t, "imagenet_labels_1001.txt")); err == nil || !strings.Contains(err.Error(), "not a TFLite file") {
		t.Errorf("inspect of a text file: %v", err)
	}
}
