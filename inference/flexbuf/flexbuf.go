// Package flexbuf reads FlexBuffers, the schema-less binary format that TensorFlow Lite uses for
// the options of custom operators (for example TFLite_Detection_PostProcess).
//
// Every offset and length is checked against the buffer before it is used: a corrupt or
// hostile buffer yields an error wrapping ErrCorrupt, never a panic or an out-of-range read.
// A reference must point to data that lies entirely before the reference itself (FlexBuffers
// are written children first), so no chain of references can form a cycle.
package flexbuf

import (
	"errors"
	"fmt"
)

// Errors returned by the reader.
var (
	// ErrCorrupt means the buffer is not a well-formed FlexBuffer.
	ErrCorrupt = errors.New("flexbuf: corrupt buffer")
	// ErrType means a value was read as a type it cannot be converted to.
	ErrType = errors.New("flexbuf: wrong type")
	// ErrRange means a number does not fit the type it was read as.
	ErrRange = errors.New("flexbuf: value out of range")
)

// Value is one typed value inside a FlexBuffer. The zero Value is a null. A Value holds the
// buffer it came from, which must not change while the Value is in use.
type Value struct {
	buf []byte
	// pos is where the value lies: the scalar itself for inline types, otherwise the
	// offset that points back to the data.
	pos int
	// parentWidth is the byte width of the cell at pos.
	parentWidth int
	// width is the byte width of the data the offset points to (sizes, elements).
	width int
	typ   valueType
}

// Root returns the root value of a FlexBuffer. The buffer ends with the root value, then its
// packed type byte, then the root's byte width.
func Root(buf []byte) (Value, error) {
	if len(buf) < 3 {
		return Value{}, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(buf))
	}
	width := int(buf[len(buf)-1])
	if !validWidth(width) {
		return Value{}, fmt.Errorf("%w: root byte width %d", ErrCorrupt, width)
	}
	pos := len(buf) - 2 - width
	if pos < 0 {
		return Value{}, fmt.Errorf("%w: root of width %d does not fit %d bytes", ErrCorrupt, width, len(buf))
	}
	return newValue(buf, pos, width, buf[len(buf)-2])
}

// newValue builds the value whose cell of parentWidth bytes lies at pos, with the packed type
// byte packed (type in the upper six bits, log2 of the data's byte width in the lower two).
func newValue(buf []byte, pos, parentWidth int, packed byte) (Value, error) {
	t := valueType(packed >> 2)
	if !t.known() {
		return Value{}, fmt.Errorf("%w: unknown type %d at offset %d", ErrCorrupt, t, pos)
	}
	return Value{buf: buf, pos: pos, parentWidth: parentWidth, width: 1 << (packed & 3), typ: t}, nil
}

// IsNull reports whether the value is a null.
func (v Value) IsNull() bool { return v.typ == typeNull }

func validWidth(w int) bool { return w == 1 || w == 2 || w == 4 || w == 8 }
