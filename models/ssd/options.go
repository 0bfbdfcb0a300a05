// Package ssd turns the raw outputs of an SSD object detector into detections. It does what
// the TensorFlow Lite custom operator TFLite_Detection_PostProcess does: decode box encodings
// against the model's anchors, then keep the best boxes with non-maximum suppression.
package ssd

import (
	"errors"
	"fmt"
	"math"

	"github.com/visiond/visiond/inference/flexbuf"
)

// Errors returned by the package.
var (
	// ErrOptions means the operator's options are missing, corrupt or out of range.
	ErrOptions = errors.New("ssd: bad options")
	// ErrInput means the tensors given to Postprocess do not match each other or the options.
	ErrInput = errors.New("ssd: bad input")
	// ErrQuery means a Query is out of range.
	ErrQuery = errors.New("ssd: bad query")
)

// Options are the settings of TFLite_Detection_PostProcess, as stored in a model.
type Options struct {
	// NumClasses is the number of object classes, background excluded.
	NumClasses int
	// MaxDetections is how many boxes the operator reports. Postprocess uses
	// Query.MaxDetections instead.
	MaxDetections int
	// MaxClassesPerDetection is how many classes fast NMS reports for each kept box.
	MaxClassesPerDetection int
	// DetectionsPerClass is how many boxes regular NMS keeps for each class.
	DetectionsPerClass int
	// UseRegularNMS selects per-class NMS; otherwise boxes compete across classes, each
	// ranked by its best class (fast NMS).
	UseRegularNMS bool
	// ScoreThreshold is the operator's minimum score. Postprocess uses Query.MinScore instead.
	ScoreThreshold float32
	// IoUThreshold is the overlap above which NMS drops the lower-scoring of two boxes.
	IoUThreshold float32
	// YScale, XScale, HScale and WScale divide the four box encodings before decoding.
	YScale, XScale, HScale, WScale float32
}

// defaultDetectionsPerClass is the kernel's value when a model leaves detections_per_class out.
const defaultDetectionsPerClass = 100

// ParseOptions reads the operator's options from its custom_options bytes, a FlexBuffer map.
// Keys a model leaves out take the values the TFLite kernel gives them: detections_per_class
// 100, use_regular_nms false, and zero for the rest, which Validate then rejects where zero
// is meaningless (num_classes, the scales, max_classes_per_detection for fast NMS).
func ParseOptions(custom []byte) (Options, error) {
	root, err := flexbuf.Root(custom)
	if err != nil {
		return Options{}, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	m, err := root.Map()
	if err != nil {
		return Options{}, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	o := Options{DetectionsPerClass: defaultDetectionsPerClass}
	ints := []struct {
		key string
		dst *int
	}{
		{"num_classes", &o.NumClasses},
		{"max_detections", &o.MaxDetections},
		{"max_classes_per_detection", &o.MaxClassesPerDetection},
		{"detections_per_class", &o.DetectionsPerClass},
	}
	for _, f := range ints {
		if v := m[f.key]; !v.IsNull() {
			i, err := v.Int()
			if err == nil && (i < math.MinInt32 || i > math.MaxInt32) {
				err = fmt.Errorf("%d does not fit 32 bits", i)
			}
			if err != nil {
				return Options{}, fmt.Errorf("%w: %s: %w", ErrOptions, f.key, err)
			}
			*f.dst = int(i)
		}
	}
	floats := []struct {
		key string
		dst *float32
	}{
		{"nms_score_threshold", &o.ScoreThreshold},
		{"nms_iou_threshold", &o.IoUThreshold},
		{"y_scale", &o.YScale},
		{"x_scale", &o.XScale},
		{"h_scale", &o.HScale},
		{"w_scale", &o.WScale},
	}
	for _, f := range floats {
		if v := m[f.key]; !v.IsNull() {
			x, err := v.Float()
			if err != nil {
				return Options{}, fmt.Errorf("%w: %s: %w", ErrOptions, f.key, err)
			}
			*f.dst = float32(x)
		}
	}
	if v := m["use_regular_nms"]; !v.IsNull() {
		if o.UseRegularNMS, err = v.Bool(); err != nil {
			return Options{}, fmt.Errorf("%w: use_regular_nms: %w", ErrOptions, err)
		}
	}
	return o, o.Validate()
}

// Validate reports whether the options can drive Postprocess.
func (o Options) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrOptions}, args...)...)
	}
	switch {
	case o.NumClasses < 1 || o.NumClasses >= math.MaxInt32:
		return bad("num_classes %d", o.NumClasses)
	case o.MaxDetections < 0:
		return bad("max_detections %d", o.MaxDetections)
	case !o.UseRegularNMS && o.MaxClassesPerDetection < 1:
		return bad("max_classes_per_detection %d with fast NMS", o.MaxClassesPerDetection)
	case o.UseRegularNMS && o.DetectionsPerClass < 1:
		return bad("detections_per_class %d with regular NMS", o.DetectionsPerClass)
	case o.ScoreThreshold != o.ScoreThreshold:
		return bad("nms_score_threshold is NaN")
	case !(o.IoUThreshold >= 0 && o.IoUThreshold <= 1):
		return bad("nms_iou_threshold %v outside [0, 1]", o.IoUThreshold)
	}
	for _, s := range []struct {
		name string
		v    float32
	}{{"y_scale", o.YScale}, {"x_scale", o.XScale}, {"h_scale", o.HScale}, {"w_scale", o.WScale}} {
		if !(s.v > 0) || math.IsInf(float64(s.v), 1) {
			return bad("%s %v is not a positive number", s.name, s.v)
		}
	}
	return nil
}
