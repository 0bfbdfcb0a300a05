// Package catalog is how models reach a machine: the models visiond knows (names, tasks,
// files with their pinned SHA-256), the store they are installed in, and the puller that
// fetches and verifies them. Running a model is package models' job.
package catalog

import (
	"fmt"
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
	Name string
	// SHA256 is the hex checksum of the file itself (not of a zip it comes in).
	SHA256 string
	// Size is the file's length in bytes.
	Size int64
	// URL is where the file comes from upstream.
	URL string
	// ZipMember, when set, means URL is a zip archive and the file is this member of it.
	ZipMember string
}

// Model is one entry of the catalog.
type Model struct {
	// Name is the name used everywhere: CLI, HTTP, MQTT and config.
	Name string
	// Task is what the model does.
	Task Task
	// Description is one line for listings.
	Description string
	// Graphs are the model files in pipeline order (one, except for hands: palm, then landmarks).
	Graphs []File
	// Labels is the label file, if the model has one.
	Labels *File
	// InputWidth and InputHeight are the pixel size of the first graph's input.
	InputWidth, InputHeight int
	// Fit is how images are fitted to the input.
	Fit preprocess.Fit
	// Mean and Std map a float input: value = (pixel - Mean) / Std. Quantised uint8 inputs take
	// raw 0..255 pixels and ignore them.
	Mean, Std float32
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

const (
	tfliteSupport = "https://raw.githubusercontent.com/tensorflow/tflite-support/dd3362ea685bb7ab1f7268c81ec567d3b720ae57/tensorflow_lite_support/"
	coralTestData = "https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41/"
	mediapipe     = "https://raw.githubusercontent.com/google-ai-edge/mediapipe/d4bb35fe5a44b3419ca86e4c7ecbc931dded2122/mediapipe/modules/"
	cocoSSDZip    = "https://storage.googleapis.com/download.tensorflow.org/models/tflite/coco_ssd_mobilenet_v1_1.0_quant_2018_06_29.zip"
)

var imagenetLabels = &File{
	Name:   "imagenet_labels_1001.txt",
	SHA256: "536feacc519de3d418de26b2effb4d75694a8c4c0063e36499a46fa8061e2da9",
	Size:   10484,
	URL:    tfliteSupport + "java/src/javatests/org/tensorflow/lite/support/assets/labels.txt",
}

var catalog = []Model{
	{
		Name: "coco-ssd", Task: TaskDetect,
		Description: "SSD MobileNet v1 (COCO, 90 classes, quantised): objects with boxes",
		Graphs: []File{{
			Name:   "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29_detect.tflite",
			SHA256: "e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13",
			Size:   4183312, URL: cocoSSDZip, ZipMember: "detect.tflite",
		}},
		Labels: &File{
			Name:   "coco_ssd_mobilenet_v1_labelmap.txt",
			SHA256: "c7e79c855f73cbba9f33d649d60e1676eb0a974021a41696d1ac0d4b7f7e0211",
			Size:   665, URL: cocoSSDZip, ZipMember: "labelmap.txt",
		},
		InputWidth: 300, InputHeight: 300, Fit: preprocess.Stretch,
	},
	{
		Name: "mobilenet", Task: TaskClassify,
		Description: "MobileNet v2 1.0 224 (ImageNet, 1001 classes, quantised): what an image shows",
		Graphs: []File{{
			Name:   "mobilenet_v2_1.0_224_quant.tflite",
			SHA256: "f08d447cde49b4e0446428aa921aff0a14ea589fa9c5817b31f83128e9a43c1d",
			Size:   3577760,
			URL:    tfliteSupport + "metadata/python/tests/testdata/image_classifier/mobilenet_v2_1.0_224_quant.tflite",
		}},
		Labels:     imagenetLabels,
		InputWidth: 224, InputHeight: 224, Fit: preprocess.Stretch,
	},
	{
		Name: "mobilenet-v1-0.25", Task: TaskClassify,
		Description: "MobileNet v1 0.25 224 (ImageNet, quantised): smallest and fastest classifier",
		Graphs: []File{{
			Name:   "mobilenet_v1_0.25_224_quant.tflite",
			SHA256: "e480eb15572f86d3d5f1be6e83e35b3c7d509ab2bcec353707d1f614e14edca2",
			Size:   508786,
			URL:    tfliteSupport + "cc/test/testdata/task/vision/mobilenet_v1_0.25_224_quant.tflite",
		}},
		Labels:     imagenetLabels,
		InputWidth: 224, InputHeight: 224, Fit: preprocess.Stretch,
	},
	{
		Name: "mobilenet-v1-0.25-float", Task: TaskClassify,
		Description: "MobileNet v1 0.25 224 (ImageNet, float32)",
		Graphs: []File{{
			Name:   "mobilenet_v1_0.25_224_float.tflite",
			SHA256: "446ec673881cd46371a8726075b714194ada39d144762260cb76d15318597df7",
			Size:   1882904,
			URL:    tfliteSupport + "cc/test/testdata/task/vision/mobilenet_v1_0.25_224_1_default_1.tflite",
		}},
		Labels:     imagenetLabels,
		InputWidth: 224, InputHeight: 224, Fit: preprocess.Stretch, Mean: 127.5, Std: 127.5,
	},
	{
		Name: "posenet", Task: TaskPose,
		Description: "PoseNet MobileNet v1 0.75, stride 16 (quantised): body keypoints, one or many people",
		Graphs: []File{{
			Name:   "posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite",
			SHA256: "904b7ebe503c3df88ba5324e62fb4d33c23ee38bff5f2cabe89da27e3fc8296a",
			Size:   1475200,
			URL:    coralTestData + "posenet/posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite",
		}},
		InputWidth: 641, InputHeight: 481, Fit: preprocess.Stretch,
	},
	{
		Name: "movenet", Task: TaskPose,
		Description: "MoveNet SinglePose Lightning (int8): body keypoints of one person",
		Graphs: []File{{
			Name:   "movenet_singlepose_lightning_int8_4.tflite",
			SHA256: "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105",
			Size:   2894840,
			URL:    coralTestData + "movenet_single_pose_lightning_ptq.tflite",
		}},
		InputWidth: 192, InputHeight: 192, Fit: preprocess.Letterbox,
	},
	{
		Name: "hands", Task: TaskHands,
		Description: "MediaPipe palm detection + hand landmarks (lite, float32): 21 landmarks per hand",
		Graphs: []File{
			{
				Name:   "palm_detection_lite.tflite",
				SHA256: "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18",
				Size:   1985440,
				URL:    mediapipe + "palm_detection/palm_detection_lite.tflite",
			},
			{
				Name:   "hand_landmark_lite.tflite",
				SHA256: "d7fde8ac11f8ce03f8663775bfc323f4fc9f2a38062b4f4efa142874ef5b2a48",
				Size:   2071408,
				URL:    mediapipe + "hand_landmark/hand_landmark_lite.tflite",
			},
		},
		InputWidth: 192, InputHeight: 192, Fit: preprocess.Letterbox, Mean: 0, Std: 255,
	},
}

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
