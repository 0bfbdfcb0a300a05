package tflite

import "fmt"

// BuiltinOp is a TFLite builtin operator code (schema enum BuiltinOperator).
type BuiltinOp int32

// Builtin operators known to the converter or seen in visiond's models. Codes follow the
// TFLite schema; new ones are added as the converter learns them.
const (
	Add               BuiltinOp = 0
	AveragePool2D     BuiltinOp = 1
	Concatenation     BuiltinOp = 2
	Conv2D            BuiltinOp = 3
	DepthwiseConv2D   BuiltinOp = 4
	Dequantize        BuiltinOp = 6
	FullyConnected    BuiltinOp = 9
	Logistic          BuiltinOp = 14
	MaxPool2D         BuiltinOp = 17
	Mul               BuiltinOp = 18
	Relu              BuiltinOp = 19
	Relu6             BuiltinOp = 21
	Reshape           BuiltinOp = 22
	ResizeBilinear    BuiltinOp = 23
	Softmax           BuiltinOp = 25
	Tanh              BuiltinOp = 28
	Custom            BuiltinOp = 32
	Pad               BuiltinOp = 34
	Gather            BuiltinOp = 36
	Transpose         BuiltinOp = 39
	Mean              BuiltinOp = 40
	Sub               BuiltinOp = 41
	Div               BuiltinOp = 42
	Squeeze           BuiltinOp = 43
	StridedSlice      BuiltinOp = 45
	Exp               BuiltinOp = 47
	Cast              BuiltinOp = 53
	Prelu             BuiltinOp = 54
	Maximum           BuiltinOp = 55
	ArgMax            BuiltinOp = 56
	Minimum           BuiltinOp = 57
	Less              BuiltinOp = 58
	Greater           BuiltinOp = 61
	Slice             BuiltinOp = 65
	ExpandDims        BuiltinOp = 70
	Sum               BuiltinOp = 74
	Sqrt              BuiltinOp = 75
	Rsqrt             BuiltinOp = 76
	Pow               BuiltinOp = 78
	ReduceMax         BuiltinOp = 82
	Pack              BuiltinOp = 83
	Unpack            BuiltinOp = 88
	FloorDiv          BuiltinOp = 90
	Square            BuiltinOp = 92
	ResizeNearest     BuiltinOp = 97
	SquaredDifference BuiltinOp = 99
	GatherND          BuiltinOp = 107
	Quantize          BuiltinOp = 114
	HardSwish         BuiltinOp = 117
)

var opNames = map[BuiltinOp]string{
	Add: "ADD", AveragePool2D: "AVERAGE_POOL_2D", Concatenation: "CONCATENATION", Conv2D: "CONV_2D",
	DepthwiseConv2D: "DEPTHWISE_CONV_2D", Dequantize: "DEQUANTIZE", FullyConnected: "FULLY_CONNECTED",
	Logistic: "LOGISTIC", MaxPool2D: "MAX_POOL_2D", Mul: "MUL", Relu: "RELU", Relu6: "RELU6",
	Reshape: "RESHAPE", ResizeBilinear: "RESIZE_BILINEAR", Softmax: "SOFTMAX", Tanh: "TANH",
	Custom: "CUSTOM", Pad: "PAD", Gather: "GATHER", Transpose: "TRANSPOSE", Mean: "MEAN", Sub: "SUB",
	Div: "DIV", Squeeze: "SQUEEZE", StridedSlice: "STRIDED_SLICE", Exp: "EXP", Cast: "CAST", Prelu: "PRELU",
	Maximum: "MAXIMUM", ArgMax: "ARG_MAX", Minimum: "MINIMUM", Less: "LESS", Greater: "GREATER",
	Slice: "SLICE", ExpandDims: "EXPAND_DIMS", Sum: "SUM", Sqrt: "SQRT", Rsqrt: "RSQRT", Pow: "POW",
	ReduceMax: "REDUCE_MAX", Pack: "PACK", Unpack: "UNPACK", FloorDiv: "FLOOR_DIV", Square: "SQUARE",
	ResizeNearest: "RESIZE_NEAREST_NEIGHBOR", SquaredDifference: "SQUARED_DIFFERENCE",
	GatherND: "GATHER_ND", Quantize: "QUANTIZE", HardSwish: "HARD_SWISH",
}

// String returns the schema name of the operator, or its number when it is not known here.
func (op BuiltinOp) String() string {
	if s, ok := opNames[op]; ok {
		return s
	}
	return fmt.Sprintf("BUILTIN_%d", int32(op))
}
