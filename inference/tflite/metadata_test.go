package tflite

import "testing"

// TestInputNormalization: the shared quantised MobileNet v1 0.25 (from tflite-support's
// test data, with metadata) normalises its input by mean 127.5 and std 127.5, mapping 0..255
// to -1..1; the float one and the COCO SSD file have no metadata.
func TestInputNormalization(t *testing.T) {
	for _, tc := range []struct {
		file      string
		mean, std []float32
		ok        bool
	}{
		{"mobilenet_v1_0.25_224_quant.tflite", []float32{127.5}, []float32{127.5}, true},
		{"mobilenet_v1_0.25_224_float.tflite", nil, nil, false},
		{"coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite", nil, nil, false},
	} {
		mean, std, ok := parseShared(t, tc.file).InputNormalization()
		if ok != tc.ok || len(mean) != len(tc.mean) || len(std) != len(tc.std) || ok && (mean[0] != tc.mean[0] || std[0] != tc.std[0]) {
			t.Errorf("%s: mean %v std %v ok %v, want %v %v %v", tc.file, mean, std, ok, tc.mean, tc.std, tc.ok)
		}
	}
}
