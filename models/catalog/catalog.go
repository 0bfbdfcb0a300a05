// Package catalog is how models reach a machine: the models visiond knows (names, tasks,
// files with their pinned SHA-256), the store they are installed in, and the puller that
// fetches and verifies them. Running a model is package models' job.
package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/visiond/visiond/models/preprocess"
)

// Task is what a model does.
type Task string

// The tasks visiond offers.
const (
	TaskClassify Task = "classify"
	TaskDetect   Task = "detect"
	TaskPose     Task = "pose"
	TaskHands    Task = "hands"
)

// File is one file of a model as it lies in the models directory (and in a mirror, which is
// laid out the same way: every file under its Name, flat).
type File struct {
	// Name is the file name in the models directory and in a mirror.
	Name string `yaml:"name"`
	// SHA256 is the hex checksum of the file itself (not of a zip it comes in); empty when
	// an own model's card pins none.
	SHA256 string `yaml:"sha256,omitempty"`
	// Size is the file's length in bytes; 0 when unknown.
	Size int64 `yaml:"size,omitempty"`
	// URL is where the file comes from upstream; empty for own models.
	URL string `yaml:"url,omitempty"`
	// ZipMember, when set, means URL is a zip archive and the file is this member of it.
	ZipMember string `yaml:"zip_member,omitempty"`
}

// Model is one model visiond can run, as its card describes it: an entry of the built-in
// catalog, or a user's own model in the models directory.
type Model struct {
	// Name is the name used everywhere: CLI, HTTP, MQTT and config.
	Name string
	// Task is what the model does.
	Task Task
	// Description is one line for listings.
	Description string
	// Graphs are the model files in pipeline order (one, except for hands: palm, then landmarks).
	Graphs []File
	// Labels is the label file, if the model has one beside it; nil for a detector or
	// classifier that packs its labels in its model file.
	Labels *File
	// LabelFormat is how Labels names classes, and class c of the model is its entry
	// c+LabelOffset.
	LabelFormat LabelFormat
	LabelOffset int
	// InputWidth and InputHeight are the pixel size of the first graph's input; 0 when the
	// card leaves it to the model file.
	InputWidth, InputHeight int
	// Fit is how images are fitted to the input.
	Fit preprocess.Fit
	// Mean and Std map a float input: value = (pixel - Mean) / Std. Quantised uint8 inputs take
	// raw 0..255 pixels and ignore them.
	Mean, Std float32
	// NormalizeFromFile: the card gives no normalisation, so a float input takes the one the
	// TFLite file's metadata gives, if any (else Mean and Std).
	NormalizeFromFile bool
	// Decoder turns a detector's or classifier's outputs into results; Outputs names the
	// tensors of DecodeBoxes; Background says class 0 of a classifier is never reported.
	Decoder    Decoder
	Outputs    Outputs
	Background bool
	// Convert, when set, is how this model's quantised TFLite graph runs (float or qdq) under
	// engine.convert's default, per-model; engine.convert float or qdq overrides it. Empty is
	// float. A built-in model gets qdq only where QDQ is faster and the golden results
	// (testdata/golden, made in float mode) still hold within the tolerances of package
	// internal/golden; QDQ was measured on every quantised model and met them on none (the
	// README's "Float or QDQ"), so none sets it.
	Convert string
	// Own is true for a model a user installed (a card in the models directory), false for
	// the built-in catalog.
	Own bool
}

// repair is the command that installs m again, for error messages: damaged says a file is
// present but wrong.
func (m *Model) repair(damaged bool) string {
	switch {
	case m.Own:
		return "install it again with: visiond models add " + m.Name + " FILE"
	case damaged:
		return "repair it with: visiond models pull --force " + m.Name
	}
	return "install it with: visiond models pull " + m.Name
}

// Files returns every file of the model: the graphs, then the labels.
func (m *Model) Files() []File {
	files := append([]File(nil), m.Graphs...)
	if m.Labels != nil {
		files = append(files, *m.Labels)
	}
	return files
}

// builtin holds the catalog's cards, one file per model.
//
//go:embed cards/*.yaml
var builtin embed.FS

// catalog is the built-in catalog, read from its cards once.
var catalog = func() []Model {
	paths, err := fs.Glob(builtin, "cards/*.yaml")
	if err != nil {
		panic(err)
	}
	var out []Model
	for _, p := range paths {
		data, err := builtin.ReadFile(p)
		if err == nil {
			var m Model
			m, err = ParseCard(data)
			out = append(out, m)
		}
		if err != nil { // the catalog's own cards are tested; a bad one is a build defect
			panic(fmt.Sprintf("catalog card %s: %v", p, err))
		}
	}
	return out
}()

// Catalog returns every model visiond knows, sorted by name. The slice is a copy.
func Catalog() []Model {
	out := append([]Model(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the catalog entry called name, or an error wrapping ErrUnknownModel.
func Lookup(name string) (Model, error) {
	for _, m := range catalog {
		if m.Name == name {
			return m, nil
		}
	}
	return Model{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownModel, name, knownNames())
}

func knownNames() string {
	s := ""
	for i, m := range Catalog() {
		if i > 0 {
			s += ", "
		}
		s += m.Name
	}
	return s
}
