package ssd

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/visiond/visiond/inference/flexbuf"
	"github.com/visiond/visiond/inference/tflite"
	"github.com/visiond/visiond/internal/testenv"
)

// flexMap encodes entries as a FlexBuffer map whose fields are all 8 bytes wide. Values are
// int, float64, bool, string or nil (a null).
func flexMap(entries map[string]any) []byte {
	var keys []string
	for k := range entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf []byte
	put := func(u uint64) { buf = binary.LittleEndian.AppendUint64(buf, u) }
	strings := map[string]int{} // where each string value's bytes start
	for _, k := range keys {
		if s, ok := entries[k].(string); ok {
			put(uint64(len(s)))
			strings[k] = len(buf)
			buf = append(append(buf, s...), 0)
		}
	}
	at := make([]int, len(keys))
	for i, k := range keys {
		at[i] = len(buf)
		buf = append(append(buf, k...), 0)
	}
	put(uint64(len(keys))) // keys vector: size, then an offset back to each key
	keysAt := len(buf)
	for i := range keys {
		put(uint64(len(buf) - at[i]))
	}
	put(uint64(len(buf) - keysAt)) // map: offset to the keys, their width, size, values, types
	put(8)
	put(uint64(len(keys)))
	valuesAt := len(buf)
	var types []byte
	for _, k := range keys {
		switch v := entries[k].(type) {
		case int:
			put(uint64(v))
			types = append(types, 1<<2|3)
		case float64:
			put(math.Float64bits(v))
			types = append(types, 3<<2|3)
		case bool:
			if v {
				put(1)
			} else {
				put(0)
			}
			types = append(types, 26<<2|3)
		case string:
			put(uint64(len(buf) - strings[k]))
			types = append(types, 5<<2|3)
		default:
			put(0)
			types = append(types, 0)
		}
	}
	buf = append(buf, types...)
	put(uint64(len(buf) - valuesAt)) // root: offset to the map, its type (map, width 8), width 8
	return append(buf, 9<<2|3, 8)
}

// ssdEntries are the options of the COCO SSD model, with the two it leaves out.
func ssdEntries() map[string]any {
	return map[string]any{
		"max_detections": 10, "max_classes_per_detection": 1, "num_classes": 90,
		"nms_score_threshold": 1e-8, "nms_iou_threshold": 0.6,
		"y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0,
	}
}

// missing, as a value in a test's changes, removes the key.
type missing struct{}

var ssdOptions = Options{
	NumClasses: 90, MaxDetections: 10, MaxClassesPerDetection: 1, DetectionsPerClass: 100,
	ScoreThreshold: 1e-8, IoUThreshold: 0.6, YScale: 10, XScale: 10, HScale: 5, WScale: 5,
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]any // applied to ssdEntries; a value of type missing removes the key
		want   func(*Options)
		err    error
	}{
		{name: "defaults for left-out keys"},
		{
			name:   "regular NMS",
			change: map[string]any{"use_regular_nms": true, "detections_per_class": 5},
			want:   func(o *Options) { o.UseRegularNMS = true; o.DetectionsPerClass = 5 },
		},
		{name: "null is a left-out key", change: map[string]any{"use_regular_nms": nil}},
		{
			name:   "ints given as floats and floats as ints",
			change: map[string]any{"num_classes": 90.0, "y_scale": 10},
		},
		{
			name:   "max_classes_per_detection zero with regular NMS",
			change: map[string]any{"use_regular_nms": true, "max_classes_per_detection": 0},
			want:   func(o *Options) { o.UseRegularNMS = true; o.MaxClassesPerDetection = 0 },
		},
		{name: "num_classes missing", change: map[string]any{"num_classes": missing{}}, err: ErrOptions},
		{name: "num_classes zero", change: map[string]any{"num_classes": 0}, err: ErrOptions},
		{name: "num_classes fractional", change: map[string]any{"num_classes": 90.5}, err: flexbuf.ErrRange},
		{name: "num_classes over 32 bits", change: map[string]any{"num_classes": 1 << 40}, err: ErrOptions},
		{name: "scale missing", change: map[string]any{"h_scale": missing{}}, err: ErrOptions},
		{name: "scale negative", change: map[string]any{"w_scale": -5.0}, err: ErrOptions},
		{name: "IoU above 1", change: map[string]any{"nms_iou_threshold": 1.5}, err: ErrOptions},
		{name: "IoU negative", change: map[string]any{"nms_iou_threshold": -0.1}, err: ErrOptions},
		{name: "max_classes_per_detection zero", change: map[string]any{"max_classes_per_detection": 0}, err: ErrOptions},
		{
			name:   "detections_per_class zero with regular NMS",
			change: map[string]any{"use_regular_nms": true, "detections_per_class": 0}, err: ErrOptions,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries := ssdEntries()
			for k, v := range tc.change {
				entries[k] = v
				if _, ok := v.(missing); ok {
					delete(entries, k)
				}
			}
			got, err := ParseOptions(flexMap(entries))
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !errors.Is(err, ErrOptions) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ssdOptions
			if tc.want != nil {
				tc.want(&want)
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseOptionsCorrupt(t *testing.T) {
	good := flexMap(ssdEntries())
	for name, tc := range map[string]struct {
		buf  []byte
		want error
	}{
		"empty":      {nil, flexbuf.ErrCorrupt},
		"truncated":  {good[:len(good)-3], flexbuf.ErrCorrupt},
		"not a map":  {[]byte{0x2a, 0x04, 0x01}, flexbuf.ErrType}, // the int 42
		"wrong type": {flexMap(map[string]any{"num_classes": "ninety"}), flexbuf.ErrType},
	} {
		if _, err := ParseOptions(tc.buf); !errors.Is(err, tc.want) || !errors.Is(err, ErrOptions) {
			t.Errorf("%s: error %v, want %v", name, err, tc.want)
		}
	}
}

// customOptions returns the options of the model's TFLite_Detection_PostProcess operator,
// read with the TFLite reader.
func customOptions(t *testing.T, file []byte) []byte {
	t.Helper()
	m, err := tflite.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range m.Subgraphs[0].Operators {
		if m.OperatorCodes[op.Opcode].Custom == "TFLite_Detection_PostProcess" {
			return op.Custom
		}
	}
	t.Fatal("no TFLite_Detection_PostProcess operator in the model")
	return nil
}

func TestParseOptionsCOCOSSD(t *testing.T) {
	file, err := os.ReadFile(testenv.Model(t, "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseOptions(customOptions(t, file))
	if err != nil {
		t.Fatal(err)
	}
	if got != ssdOptions {
		t.Errorf("got  %+v\nwant %+v", got, ssdOptions)
	}
}

func FuzzParseOptions(f *testing.F) {
	f.Add(flexMap(ssdEntries()))
	f.Add(flexMap(map[string]any{"use_regular_nms": true, "num_classes": 3, "y_scale": 1.0}))
	f.Fuzz(func(t *testing.T, buf []byte) {
		o, err := ParseOptions(buf)
		if err != nil {
			if !errors.Is(err, ErrOptions) {
				t.Fatalf("error %v does not wrap ErrOptions", err)
			}
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("ParseOptions returned options that fail Validate: %v", err)
		}
	})
}
