package onnx

// attrType numbers the kinds of value an attribute holds, as ONNX AttributeProto.AttributeType.
type attrType int32

const (
	attrFloat  attrType = 1
	attrInt    attrType = 2
	attrString attrType = 3
	attrFloats attrType = 6
	attrInts   attrType = 7
)

// Attr is a named attribute of a node. Build one with AttrInt, AttrFloat, AttrInts,
// AttrFloats or AttrString.
type Attr struct {
	name   string
	kind   attrType
	i      int64
	f      float32
	s      string
	ints   []int64
	floats []float32
}

// AttrInt is an integer attribute, such as Conv's group.
func AttrInt(name string, v int64) Attr {
	return Attr{name: name, kind: attrInt, i: v}
}

// AttrFloat is a float attribute, such as LeakyRelu's alpha.
func AttrFloat(name string, v float32) Attr {
	return Attr{name: name, kind: attrFloat, f: v}
}

// AttrInts is a list of integers, such as Conv's pads or strides.
func AttrInts(name string, v []int64) Attr {
	return Attr{name: name, kind: attrInts, ints: clone(v)}
}

// AttrFloats is a list of floats, such as Constant's value_floats.
func AttrFloats(name string, v []float32) Attr {
	return Attr{name: name, kind: attrFloats, floats: clone(v)}
}

// AttrString is a string attribute, such as Resize's mode.
func AttrString(name string, v string) Attr {
	return Attr{name: name, kind: attrString, s: v}
}
