package flexbuf

import "fmt"

// valueType is the type stored in the upper six bits of a packed type byte.
type valueType uint8

// The value types of the format. Null, Int, Uint, Float and Bool are stored inline; all
// others are stored as an offset back to their data.
const (
	typeNull          valueType = 0
	typeInt           valueType = 1
	typeUint          valueType = 2
	typeFloat         valueType = 3
	typeKey           valueType = 4
	typeString        valueType = 5
	typeIndirectInt   valueType = 6
	typeIndirectUint  valueType = 7
	typeIndirectFloat valueType = 8
	typeMap           valueType = 9
	typeVector        valueType = 10
	typeVectorInt     valueType = 11 // typed vectors with a size: Int, Uint, Float, Key
	typeVectorKey     valueType = 14
	typeVectorString  valueType = 15 // deprecated by the format, rejected here
	typeVectorInt2    valueType = 16 // fixed-length typed vectors without a size: 2, 3, 4 × Int, Uint, Float
	typeVectorFloat4  valueType = 24
	typeBlob          valueType = 25
	typeBool          valueType = 26
	typeVectorBool    valueType = 36
)

func (t valueType) known() bool { return t <= typeBool || t == typeVectorBool }

// typedVector returns the element type and, for fixed-length vectors, the length of a typed
// vector type; ok is false for any other type.
func (t valueType) typedVector() (elem valueType, fixedLen int, ok bool) {
	switch {
	case t >= typeVectorInt && t <= typeVectorKey:
		return typeInt + (t - typeVectorInt), 0, true
	case t >= typeVectorInt2 && t <= typeVectorFloat4:
		return typeInt + (t-typeVectorInt2)%3, int(t-typeVectorInt2)/3 + 2, true
	case t == typeVectorBool:
		return typeBool, 0, true
	}
	return 0, 0, false
}

func (t valueType) String() string {
	switch t {
	case typeNull:
		return "null"
	case typeInt, typeIndirectInt:
		return "int"
	case typeUint, typeIndirectUint:
		return "uint"
	case typeFloat, typeIndirectFloat:
		return "float"
	case typeKey:
		return "key"
	case typeString:
		return "string"
	case typeMap:
		return "map"
	case typeBlob:
		return "blob"
	case typeBool:
		return "bool"
	case typeVectorString:
		return "deprecated string vector"
	}
	if t == typeVector {
		return "vector"
	}
	if _, _, ok := t.typedVector(); ok {
		return "typed vector"
	}
	return fmt.Sprintf("type %d", uint8(t))
}
