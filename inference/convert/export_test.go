package convert

import "github.com/visiond/visiond/inference/tflite"

// BoxesDetector is a TFLite detector that does its own post-processing, written with this
// package's test builders for the tests of the boxes_classes_scores decoder (in package
// convert_test, which may import the packages that run models). Its input is a [1,4,4,3]
// float image; m, the mean of its values, scales four fixed rows of outputs:
//
//	boxes   [1,4,4]  m × (0.1 0.2 0.5 0.6), (0.5 0.5 0.9 1.2), (0 0 1 1), (0 0 0.5 0.5)
//	classes [1,4]    m × 1, 0, 7, 0
//	scores  [1,4]    m × 0.9, 0.6, 0.8, 0.95
//	count   [1]      m × 3
//
// so a white image under range [0, 1] gives exactly those values, and a black one zeros.
func BoxesDetector() []byte {
	m := &tfModel{}
	x := m.input("image", f32(1, 4, 4, 3))
	axes := m.constant("axes", i32(3), int32s(1, 2, 3))
	mean := m.tensor("mean", f32(1))
	m.op(tflite.Mean, reducerOpts(false), []int32{x, axes}, mean)
	scaled := func(name string, s spec, values ...float32) int32 {
		c := m.constant(name+"_rows", s, floats(values...))
		y := m.tensor(name, s)
		m.op(tflite.Mul, actOpts(optMul, tflite.ActNone), []int32{mean, c}, y)
		return y
	}
	boxes := scaled("boxes", f32(1, 4, 4), 0.1, 0.2, 0.5, 0.6, 0.5, 0.5, 0.9, 1.2, 0, 0, 1, 1, 0, 0, 0.5, 0.5)
	classes := scaled("classes", f32(1, 4), 1, 0, 7, 0)
	scores := scaled("scores", f32(1, 4), 0.9, 0.6, 0.8, 0.95)
	count := scaled("count", f32(1), 3)
	m.output(boxes, classes, scores, count)
	return m.bytes()
}

// ExpClassifier is a TFLite classifier of three classes the converter cannot convert: it
// ends in EXP, an operator it does not support.
func ExpClassifier() []byte {
	m := &tfModel{}
	x := m.input("image", f32(1, 4, 4, 3))
	axes := m.constant("axes", i32(2), int32s(1, 2))
	mean := m.tensor("mean", f32(1, 3))
	m.op(tflite.Mean, reducerOpts(false), []int32{x, axes}, mean)
	y := m.tensor("scores", f32(1, 3))
	m.op(tflite.Exp, tfOptions{}, []int32{mean}, y)
	m.output(y)
	return m.bytes()
}

// ChannelClassifier is a float TFLite classifier of three classes (red, green, blue) whose
// score for each is the mean of that channel of its [1,4,4,3] input. With std, its TFLite
// metadata normalises the input by mean and std.
func ChannelClassifier(mean, std []float32) []byte {
	m := &tfModel{}
	x := m.input("image", f32(1, 4, 4, 3))
	axes := m.constant("axes", i32(2), int32s(1, 2))
	y := m.tensor("scores", f32(1, 3))
	m.op(tflite.Mean, reducerOpts(false), []int32{x, axes}, y)
	m.output(y)
	if std != nil {
		m.metadata = normalizationMetadata(mean, std)
	}
	return m.bytes()
}
