package flexbuf

import (
	"bytes"
	"fmt"
	"math"
)

// number is a scalar read from the buffer, in the representation it is stored in.
type number struct {
	kind valueType // typeInt, typeUint, typeFloat or typeBool
	i    int64
	u    uint64
	f    float64
}

// number reads an inline or indirect int, uint, float or bool.
func (v Value) number() (number, error) {
	pos, width := v.pos, v.parentWidth
	kind := v.typ
	switch v.typ {
	case typeIndirectInt, typeIndirectUint, typeIndirectFloat:
		t, err := v.target()
		if err != nil {
			return number{}, err
		}
		if t+v.width > v.pos {
			return number{}, fmt.Errorf("%w: indirect scalar at %d overlaps its reference", ErrCorrupt, t)
		}
		pos, width = t, v.width
		kind = typeInt + (v.typ - typeIndirectInt)
	case typeInt, typeUint, typeFloat, typeBool:
	default:
		return number{}, fmt.Errorf("%w: %v is not a number", ErrType, v.typ)
	}
	var (
		n   = number{kind: kind}
		err error
	)
	switch kind {
	case typeInt:
		n.i, err = readInt(v.buf, pos, width)
	case typeFloat:
		n.f, err = readFloat(v.buf, pos, width)
	default: // uint, bool
		n.u, err = readUint(v.buf, pos, width)
	}
	return n, err
}

// Int returns the value as a signed integer. Uints, bools (0 or 1) and floats with an
// integral value convert; a number that does not fit gives ErrRange.
func (v Value) Int() (int64, error) {
	n, err := v.number()
	if err != nil {
		return 0, err
	}
	switch n.kind {
	case typeInt:
		return n.i, nil
	case typeFloat:
		if n.f != math.Trunc(n.f) || n.f < math.MinInt64 || n.f >= math.MaxInt64 {
			return 0, fmt.Errorf("%w: float %v as int64", ErrRange, n.f)
		}
		return int64(n.f), nil
	case typeBool:
		return int64(min(n.u, 1)), nil
	}
	if n.u > math.MaxInt64 {
		return 0, fmt.Errorf("%w: uint %d as int64", ErrRange, n.u)
	}
	return int64(n.u), nil
}

// Uint returns the value as an unsigned integer. Non-negative ints, bools (0 or 1) and
// floats with an integral value convert; a number that does not fit gives ErrRange.
func (v Value) Uint() (uint64, error) {
	n, err := v.number()
	if err != nil {
		return 0, err
	}
	switch n.kind {
	case typeInt:
		if n.i < 0 {
			return 0, fmt.Errorf("%w: int %d as uint64", ErrRange, n.i)
		}
		return uint64(n.i), nil
	case typeFloat:
		if n.f != math.Trunc(n.f) || n.f < 0 || n.f >= math.MaxUint64 {
			return 0, fmt.Errorf("%w: float %v as uint64", ErrRange, n.f)
		}
		return uint64(n.f), nil
	case typeBool:
		return min(n.u, 1), nil
	}
	return n.u, nil
}

// Float returns the value as a float. Ints and uints convert (rounding past 2^53) and
// bools give 0 or 1.
func (v Value) Float() (float64, error) {
	n, err := v.number()
	if err != nil {
		return 0, err
	}
	switch n.kind {
	case typeInt:
		return float64(n.i), nil
	case typeFloat:
		return n.f, nil
	case typeBool:
		return float64(min(n.u, 1)), nil
	}
	return float64(n.u), nil
}

// Bool returns the value as a bool: any number is true when it is not zero.
func (v Value) Bool() (bool, error) {
	n, err := v.number()
	if err != nil {
		return false, err
	}
	if n.kind == typeFloat {
		return n.f != 0, nil
	}
	return n.i != 0 || n.u != 0, nil
}

// String returns a string or a map key.
func (v Value) String() (string, error) {
	if v.typ != typeString && v.typ != typeKey {
		return "", fmt.Errorf("%w: %v is not a string", ErrType, v.typ)
	}
	t, err := v.target()
	if err != nil {
		return "", err
	}
	if v.typ == typeKey {
		return key(v.buf, t, v.pos)
	}
	// A string is its size, then its bytes, then a zero byte that the size does not count.
	n, err := readSize(v.buf, t-v.width, v.width, 1, v.pos-t-1)
	if err != nil {
		return "", err
	}
	if v.buf[t+n] != 0 {
		return "", fmt.Errorf("%w: string at %d is not zero-terminated", ErrCorrupt, t)
	}
	return string(v.buf[t : t+n]), nil
}

// key returns the zero-terminated string that starts at start and ends before end.
func key(buf []byte, start, end int) (string, error) {
	n := bytes.IndexByte(buf[start:end], 0)
	if n < 0 {
		return "", fmt.Errorf("%w: key at %d is not zero-terminated", ErrCorrupt, start)
	}
	return string(buf[start : start+n]), nil
}
