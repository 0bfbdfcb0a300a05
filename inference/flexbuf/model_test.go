package flexbuf_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/visiond/visiond/inference/flexbuf"
	"github.com/visiond/visiond/internal/testenv"
)

// customOptions finds, in a .tflite file, the FlexBuffer map that holds the key want. In the
// flatbuffer, custom options are a byte vector: a 4-byte aligned little-endian length, then
// the bytes. The map's key strings lie inside those bytes, so the vector starts at most a few
// hundred bytes before a key.
func customOptions(t *testing.T, file []byte, want string) []byte {
	t.Helper()
	needle := append([]byte(want), 0)
	for from := 0; ; {
		i := bytes.Index(file[from:], needle)
		if i < 0 {
			t.Fatalf("no FlexBuffer map with key %q in the file", want)
		}
		at := from + i
		from = at + 1
		for s := at &^ 3; s >= 4 && s > at-4096; s -= 4 {
			n := int(binary.LittleEndian.Uint32(file[s-4:]))
			if n < len(needle) || n > len(file)-s || s+n < at+len(needle) {
				continue
			}
			if v, err := flexbuf.Root(file[s : s+n]); err == nil {
				if m, err := v.Map(); err == nil && !m[want].IsNull() {
					return file[s : s+n]
				}
			}
		}
	}
}

func TestSSDPostProcessOptions(t *testing.T) {
	file, err := os.ReadFile(testenv.Model(t, "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	buf := customOptions(t, file, "max_detections")
	root, err := flexbuf.Root(buf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := root.Map()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes, %d keys", len(buf), len(m))

	ints := map[string]int64{"max_detections": 10, "num_classes": 90, "max_classes_per_detection": 1}
	for k, want := range ints {
		if got, err := m[k].Int(); err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", k, got, err, want)
		}
	}
	// The floats are float32 in the file, so they are compared as float32.
	floats := map[string]float32{
		"nms_iou_threshold": 0.6, "nms_score_threshold": 1e-8,
		"y_scale": 10, "x_scale": 10, "h_scale": 5, "w_scale": 5,
	}
	for k, want := range floats {
		if got, err := m[k].Float(); err != nil || float32(got) != want {
			t.Errorf("%s = %v, %v; want %v", k, got, err, want)
		}
	}
	// This export leaves these to the kernel's defaults.
	for _, k := range []string{"use_regular_nms", "detections_per_class"} {
		if !m[k].IsNull() {
			t.Errorf("%s is present", k)
		}
	}
	if q, err := m["_output_quantized"].Bool(); err != nil || !q {
		t.Errorf("_output_quantized = %v, %v; want true", q, err)
	}
}
