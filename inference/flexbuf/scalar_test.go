package flexbuf

import (
	"errors"
	"math"
	"testing"
)

// A packed type byte is type<<2 | log2(byte width). The types used below are
// null 0, int 1, uint 2, float 3, key 4, string 5, indirect int 6, indirect uint 7,
// indirect float 8, map 9, vector 10, typed int vector 11, fixed float pair 18, bool 26,
// bool vector 36. Every buffer ends with the root cell, its packed type and the root's width.

// scalarCases are hand-built buffers whose root is a number.
var scalarCases = []struct {
	name string
	buf  []byte
	i    int64
	iErr error
	u    uint64
	uErr error
	f    float64
	b    bool
}{
	{
		name: "int8",
		buf: []byte{
			0x2a, // root cell: 42
			0x04, // int, width 1: 1<<2 | 0
			0x01, // root width 1
		},
		i: 42, u: 42, f: 42, b: true,
	},
	{
		name: "int16 negative",
		buf: []byte{
			0xfe, 0xff, // root cell: -2 as little-endian int16
			0x05, // int, width 2: 1<<2 | 1
			0x02, // root width 2
		},
		i: -2, uErr: ErrRange, f: -2, b: true,
	},
	{
		name: "uint64 max",
		buf: []byte{
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // root cell: 2^64-1
			0x0b, // uint, width 8: 2<<2 | 3
			0x08, // root width 8
		},
		iErr: ErrRange, u: math.MaxUint64, f: 18446744073709551615, b: true,
	},
	{
		name: "float32 fraction",
		buf: []byte{
			0x00, 0x00, 0xc0, 0x3f, // root cell: 1.5 = 0x3fc00000
			0x0e, // float, width 4: 3<<2 | 2
			0x04, // root width 4
		},
		iErr: ErrRange, uErr: ErrRange, f: 1.5, b: true,
	},
	{
		name: "float32 integral",
		buf: []byte{
			0x00, 0x00, 0x00, 0x40, // root cell: 2.0 = 0x40000000
			0x0e, // float, width 4
			0x04, // root width 4
		},
		i: 2, u: 2, f: 2, b: true,
	},
	{
		name: "float64 negative",
		buf: []byte{
			0, 0, 0, 0, 0, 0, 0xd0, 0xbf, // root cell: -0.25 = 0xbfd0000000000000
			0x0f, // float, width 8: 3<<2 | 3
			0x08, // root width 8
		},
		iErr: ErrRange, uErr: ErrRange, f: -0.25, b: true,
	},
	{
		name: "bool true",
		buf: []byte{
			0x01, // root cell: true
			0x68, // bool, width 1: 26<<2
			0x01, // root width 1
		},
		i: 1, u: 1, f: 1, b: true,
	},
	{
		name: "bool false",
		buf:  []byte{0x00, 0x68, 0x01}, // false, bool, root width 1
	},
	{
		name: "indirect int32",
		buf: []byte{
			0xe8, 0x03, 0x00, 0x00, // offset 0: 1000 as int32
			0x04, // offset 4, root cell: points 4 bytes back, to offset 0
			0x1a, // indirect int, data width 4: 6<<2 | 2
			0x01, // root width 1
		},
		i: 1000, u: 1000, f: 1000, b: true,
	},
	{
		name: "indirect uint8",
		buf: []byte{
			0xc8, // offset 0: 200
			0x01, // offset 1, root cell: points 1 byte back
			0x1c, // indirect uint, data width 1: 7<<2 | 0
			0x01, // root width 1
		},
		i: 200, u: 200, f: 200, b: true,
	},
	{
		name: "indirect float64",
		buf: []byte{
			0, 0, 0, 0, 0, 0, 0x08, 0x40, // offset 0: 3.0 = 0x4008000000000000
			0x08, // offset 8, root cell: points 8 bytes back
			0x23, // indirect float, data width 8: 8<<2 | 3
			0x01, // root width 1
		},
		i: 3, u: 3, f: 3, b: true,
	},
}

func TestScalars(t *testing.T) {
	for _, tc := range scalarCases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Root(tc.buf)
			if err != nil {
				t.Fatalf("Root: %v", err)
			}
			i, err := v.Int()
			if !errors.Is(err, tc.iErr) || (err == nil && i != tc.i) {
				t.Errorf("Int() = %d, %v; want %d, %v", i, err, tc.i, tc.iErr)
			}
			u, err := v.Uint()
			if !errors.Is(err, tc.uErr) || (err == nil && u != tc.u) {
				t.Errorf("Uint() = %d, %v; want %d, %v", u, err, tc.u, tc.uErr)
			}
			if f, err := v.Float(); err != nil || f != tc.f {
				t.Errorf("Float() = %v, %v; want %v", f, err, tc.f)
			}
			if b, err := v.Bool(); err != nil || b != tc.b {
				t.Errorf("Bool() = %v, %v; want %v", b, err, tc.b)
			}
			if _, err := v.String(); !errors.Is(err, ErrType) {
				t.Errorf("String() error = %v, want ErrType", err)
			}
			if _, err := v.Map(); !errors.Is(err, ErrType) {
				t.Errorf("Map() error = %v, want ErrType", err)
			}
		})
	}
}

func TestNull(t *testing.T) {
	v, err := Root([]byte{0x00, 0x00, 0x01}) // cell 0, type null, root width 1
	if err != nil {
		t.Fatal(err)
	}
	if !v.IsNull() {
		t.Error("IsNull() = false")
	}
	if !(Value{}).IsNull() {
		t.Error("zero Value is not null")
	}
	if _, err := v.Int(); !errors.Is(err, ErrType) {
		t.Errorf("Int() of null: error %v, want ErrType", err)
	}
	if _, err := v.Float(); !errors.Is(err, ErrType) {
		t.Errorf("Float() of null: error %v, want ErrType", err)
	}
}
