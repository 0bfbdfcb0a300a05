package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/visiond/visiond/models/preprocess"
)

// MaxCardBytes bounds the size of a model card.
const MaxCardBytes = 64 << 10

// LabelFormat is how a labels file names classes.
type LabelFormat string

// The label file formats a card may name.
const (
	// LabelLines: one label per line; line i names class i-offset.
	LabelLines LabelFormat = "lines"
	// LabelIDs: "ID LABEL" lines; ID i names class i-offset, and classes no line names are
	// never reported.
	LabelIDs LabelFormat = "id_label"
	// LabelPbtxt: a TensorFlow object-detection label map (item { id: .. display_name: .. }).
	LabelPbtxt LabelFormat = "pbtxt"
)

// Decoder is how a detector's or classifier's outputs become results.
type Decoder string

// The output decoders a card may name.
const (
	// DecodeSSD: TFLite's TFLite_Detection_PostProcess custom operator, done in Go with the
	// options and anchors read from the file (SSD MobileNet, EfficientDet-Lite exports).
	DecodeSSD Decoder = "tflite_detection_postprocess"
	// DecodeBoxes: separate output tensors of boxes [N,4] (ymin, xmin, ymax, xmax, 0..1),
	// classes [N], scores [N] and optionally a count, named in the card.
	DecodeBoxes Decoder = "boxes_classes_scores"
	// DecodeClassifier: one output of a score per class, logits or probabilities.
	DecodeClassifier Decoder = "classifier"
)

// Outputs name the graph outputs the boxes_classes_scores decoder reads.
type Outputs struct {
	Boxes   string `yaml:"boxes,omitempty"`
	Classes string `yaml:"classes,omitempty"`
	Scores  string `yaml:"scores,omitempty"`
	// Count, when set, holds how many of the N rows are detections.
	Count string `yaml:"count,omitempty"`
}

// Card is a model card as written in YAML: a model file and what visiond needs to run it.
// The built-in catalog is made of cards too (models/catalog/cards).
type Card struct {
	Name        string `yaml:"name"`
	Task        Task   `yaml:"task"`
	Description string `yaml:"description,omitempty"`
	// File is the model, a .tflite or .onnx file beside the card; Files, for models of
	// several graphs (hands), lists them in pipeline order. Labels may be left out (or its
	// file) when the .tflite packs its labels file (TFLite metadata).
	File   *File       `yaml:"file,omitempty"`
	Files  []File      `yaml:"files,omitempty"`
	Labels *CardLabels `yaml:"labels,omitempty"`
	Input  CardInput   `yaml:"input,omitempty"`
	Output CardOutput  `yaml:"output,omitempty"`
	// Convert is how this model's quantised TFLite graph runs (float or qdq) while
	// engine.convert is per-model, its default; empty: float.
	Convert string `yaml:"convert,omitempty"`
}

// CardLabels is the labels section of a card.
type CardLabels struct {
	File File `yaml:"file"`
	// Format is lines, id_label or pbtxt; empty means pbtxt for a .pbtxt file, else lines.
	Format LabelFormat `yaml:"format,omitempty"`
	// Offset maps class c of the model to entry c+Offset of the file (a line or an id).
	Offset int `yaml:"offset,omitempty"`
}

// CardInput is the input section of a card: how pixels become the input tensor. A uint8
// input takes pixels as they are; a float input takes (pixel - mean) / std, or the pixels
// scaled linearly onto range [min, max]; without either, the normalisation the TFLite
// file's metadata gives, else the pixels as they are.
type CardInput struct {
	// Width and Height, when set, must be the graph's input size.
	Width  int       `yaml:"width,omitempty"`
	Height int       `yaml:"height,omitempty"`
	Resize string    `yaml:"resize,omitempty"` // stretch (default) or letterbox
	Mean   *float32  `yaml:"mean,omitempty"`
	Std    *float32  `yaml:"std,omitempty"`
	Range  []float32 `yaml:"range,omitempty"`
}

// CardOutput is the output section of a card.
type CardOutput struct {
	Decoder Decoder `yaml:"decoder,omitempty"`
	Outputs `yaml:",inline"`
	// Background says that class 0 of a classifier is a background class, never reported.
	Background bool `yaml:"background,omitempty"`
}

// UnmarshalYAML reads a file as its name alone or as a mapping of its fields.
func (f *File) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&f.Name)
	}
	type plain File
	return n.Decode((*plain)(f))
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	sumRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ParseCard reads a card and checks every field, naming it by its YAML key. The model it
// returns is not yet loaded: whether the file fits the card is checked when it loads.
func ParseCard(data []byte) (Model, error) {
	c, err := DecodeCard(data)
	if err != nil {
		return Model{}, err
	}
	return c.Model()
}

// DecodeCard reads a card's YAML strictly (an unknown key is an error) without checking its
// fields, which Card.Model does. Errors wrap ErrBadCard.
func DecodeCard(data []byte) (Card, error) {
	var c Card
	if len(data) > MaxCardBytes {
		return c, fmt.Errorf("%w: card is %d bytes, more than %d", ErrBadCard, len(data), MaxCardBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty card")
		}
		return c, fmt.Errorf("%w: %v", ErrBadCard, err)
	}
	return c, nil
}

// Model checks the card and returns the model it describes.
func (c Card) Model() (Model, error) {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	if !nameRE.MatchString(c.Name) {
		bad("name", "%q must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", c.Name)
	}
	m := Model{Name: c.Name, Task: c.Task, Description: c.Description, Convert: c.Convert}
	switch c.Task {
	case TaskDetect, TaskClassify, TaskPose, TaskHands:
	default:
		bad("task", "must be detect, classify, pose or hands, not %q", c.Task)
	}
	switch {
	case c.File != nil && len(c.Files) > 0:
		bad("files", "give file or files, not both")
	case c.File != nil:
		m.Graphs = []File{*c.File}
	case len(c.Files) > 0:
		m.Graphs = c.Files
	default:
		bad("file", "missing: the model's .tflite or .onnx file")
	}
	if c.Task == TaskHands && len(m.Graphs) != 2 || c.Task != TaskHands && len(m.Graphs) > 1 {
		bad("files", "a %s model has %d graph files, not %d", c.Task, map[bool]int{true: 2, false: 1}[c.Task == TaskHands], len(m.Graphs))
	}
	for i, f := range m.Graphs {
		key := "file"
		if len(c.Files) > 0 {
			key = fmt.Sprintf("files[%d]", i)
		}
		if err := checkFile(f, ".tflite", ".onnx"); err != nil {
			bad(key, "%v", err)
		}
	}
	c.labels(&m, bad)
	c.input(&m, bad)
	c.output(&m, bad)
	if c.Convert != "" && c.Convert != "float" && c.Convert != "qdq" {
		bad("convert", "must be float or qdq, not %q", c.Convert)
	}
	if len(errs) > 0 {
		return Model{}, fmt.Errorf("%w: %w", ErrBadCard, errors.Join(errs...))
	}
	return m, nil
}

// checkFile checks a file entry: a plain file name with one of the extensions, and a
// well-formed checksum and size when given.
func checkFile(f File, exts ...string) error {
	if f.Name == "" || filepath.Base(f.Name) != f.Name || strings.HasPrefix(f.Name, ".") || strings.ContainsAny(f.Name, `/\`) {
		return fmt.Errorf("%q must be a plain file name beside the card", f.Name)
	}
	ext := strings.ToLower(filepath.Ext(f.Name))
	found := false
	for _, e := range exts {
		found = found || ext == e
	}
	if !found {
		return fmt.Errorf("%q is not a %s file", f.Name, strings.Join(exts, " or "))
	}
	if f.SHA256 != "" && !sumRE.MatchString(f.SHA256) {
		return fmt.Errorf("sha256 %q is not 64 lower-case hex digits", f.SHA256)
	}
	if f.Size < 0 {
		return fmt.Errorf("size %d is negative", f.Size)
	}
	return nil
}

// labels fills m's labels from the card. Without a labels file, a detector's or
// classifier's labels come from the file packed in its model (TFLite metadata).
func (c Card) labels(m *Model, bad func(string, string, ...any)) {
	needs := c.Task == TaskDetect || c.Task == TaskClassify
	l := c.Labels
	switch {
	case l == nil:
		m.LabelFormat = LabelLines
		return
	case !needs:
		bad("labels", "a %s model has no labels", c.Task)
		return
	}
	if l.File.Name != "" {
		if err := checkFile(l.File, ".txt", ".pbtxt", ".labels", ".csv"); err != nil {
			bad("labels.file", "%v", err)
		}
		m.Labels = &l.File
	}
	m.LabelFormat, m.LabelOffset = l.Format, l.Offset
	switch l.Format {
	case "":
		m.LabelFormat = LabelLines
		if strings.EqualFold(filepath.Ext(l.File.Name), ".pbtxt") {
			m.LabelFormat = LabelPbtxt
		}
	case LabelLines, LabelIDs, LabelPbtxt:
	default:
		bad("labels.format", "must be lines, id_label or pbtxt, not %q", l.Format)
	}
	if l.Offset < -1000 || l.Offset > 1000 {
		bad("labels.offset", "%d is out of range -1000..1000", l.Offset)
	}
}

// input fills m's input size, fit and normalisation from the card.
func (c Card) input(m *Model, bad func(string, string, ...any)) {
	in := c.Input
	m.InputWidth, m.InputHeight = in.Width, in.Height
	if in.Width < 0 || in.Width > 4096 || in.Height < 0 || in.Height > 4096 {
		bad("input", "width and height must be 0 (read from the model) to 4096, got %dx%d", in.Width, in.Height)
	}
	switch in.Resize {
	case "", "stretch":
		m.Fit = preprocess.Stretch
	case "letterbox":
		m.Fit = preprocess.Letterbox
	default:
		bad("input.resize", "must be stretch or letterbox, not %q", in.Resize)
	}
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	switch {
	case in.Range != nil && (in.Mean != nil || in.Std != nil):
		bad("input.range", "give range or mean and std, not both")
	case in.Range != nil:
		if len(in.Range) != 2 || !finite(in.Range[0]) || !finite(in.Range[1]) || in.Range[0] >= in.Range[1] {
			bad("input.range", "want [min, max] with min < max, got %v", in.Range)
			return
		}
		// pixel 0 maps to min and 255 to max: (pixel - mean) / std.
		m.Std = 255 / (in.Range[1] - in.Range[0])
		m.Mean = -in.Range[0] * m.Std
	default:
		m.NormalizeFromFile = in.Mean == nil && in.Std == nil
		if in.Mean != nil {
			m.Mean = *in.Mean
		}
		m.Std = 1
		if in.Std != nil {
			m.Std = *in.Std
		}
		if !finite(m.Mean) {
			bad("input.mean", "must be a finite number")
		}
		if !finite(m.Std) || m.Std == 0 {
			bad("input.std", "must be a finite number other than 0")
		}
	}
}

// output fills m's decoder from the card.
func (c Card) output(m *Model, bad func(string, string, ...any)) {
	o := c.Output
	m.Decoder, m.Outputs, m.Background = o.Decoder, o.Outputs, o.Background
	switch c.Task {
	case TaskDetect:
		if m.Decoder == "" {
			m.Decoder = DecodeSSD
		}
		if m.Decoder != DecodeSSD && m.Decoder != DecodeBoxes {
			bad("output.decoder", "a detector's is %s or %s, not %q", DecodeSSD, DecodeBoxes, o.Decoder)
		}
	case TaskClassify:
		if m.Decoder == "" {
			m.Decoder = DecodeClassifier
		}
		if m.Decoder != DecodeClassifier {
			bad("output.decoder", "a classifier's is %s, not %q", DecodeClassifier, o.Decoder)
		}
	default:
		if o.Decoder != "" {
			bad("output.decoder", "a %s model decodes its outputs itself; leave it out", c.Task)
		}
	}
	if m.Decoder == DecodeBoxes {
		for _, out := range []struct{ key, name string }{{"boxes", o.Boxes}, {"classes", o.Classes}, {"scores", o.Scores}} {
			if out.name == "" {
				bad("output."+out.key, "missing: %s names the output tensor holding the %s", DecodeBoxes, out.key)
			}
		}
	} else if o.Outputs != (Outputs{}) {
		bad("output", "boxes, classes, scores and count are for the %s decoder only", DecodeBoxes)
	}
	if o.Background && m.Decoder != DecodeClassifier {
		bad("output.background", "is for the %s decoder only", DecodeClassifier)
	}
}
