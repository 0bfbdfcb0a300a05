package flexbuf

import (
	"errors"
	"testing"
)

// strHi is the string "hi".
var strHi = []byte{
	0x02,       // offset 0: size 2 (the string's data width is 1)
	0x68, 0x69, // offset 1: "hi"
	0x00, // offset 3: terminator, not counted in the size
	0x03, // offset 4, root cell: points 3 back, to offset 1
	0x14, // string, data width 1: 5<<2 | 0
	0x01, // root width 1
}

// keyAB is a root key "ab": keys have no size, only a terminator.
var keyAB = []byte{
	0x61, 0x62, 0x00, // offset 0: "ab\0"
	0x03, // offset 3, root cell: points 3 back, to offset 0
	0x10, // key: 4<<2
	0x01, // root width 1
}

// mapIntBool is {"a": 7, "b": true} with all widths 1.
var mapIntBool = []byte{
	0x61, 0x00, // offset 0: key "a"
	0x62, 0x00, // offset 2: key "b"
	0x02, // offset 4: keys vector size 2
	0x05, // offset 5: key 0, 5-5 = offset 0
	0x04, // offset 6: key 1, 6-4 = offset 2
	0x02, // offset 7: keys vector, 7-2 = offset 5
	0x01, // offset 8: keys vector byte width 1
	0x02, // offset 9: map size 2
	0x07, // offset 10: value "a": 7
	0x01, // offset 11: value "b": true
	0x04, // offset 12: type of "a": int, width 1
	0x68, // offset 13: type of "b": bool
	0x04, // offset 14, root cell: map values at 14-4 = 10
	0x24, // map, width 1: 9<<2 | 0
	0x01, // root width 1
}

// mapStringFloat is {"k": "s", "x": 0.5} with the float stored indirectly.
var mapStringFloat = []byte{
	0x01, 0x73, 0x00, // offset 0: string "s": size 1, "s", terminator
	0x00, 0x00, 0x00, 0x3f, // offset 3: 0.5 as float32 (0x3f000000)
	0x6b, 0x00, // offset 7: key "k"
	0x78, 0x00, // offset 9: key "x"
	0x02, // offset 11: keys vector size 2
	0x05, // offset 12: key 0, 12-5 = offset 7
	0x04, // offset 13: key 1, 13-4 = offset 9
	0x02, // offset 14: keys vector, 14-2 = offset 12
	0x01, // offset 15: keys byte width 1
	0x02, // offset 16: map size 2
	0x10, // offset 17: value "k": 17-16 = offset 1, the string's bytes
	0x0f, // offset 18: value "x": 18-15 = offset 3, the float
	0x14, // offset 19: type of "k": string, data width 1
	0x22, // offset 20: type of "x": indirect float, data width 4: 8<<2 | 2
	0x04, // offset 21, root cell: map values at 21-4 = 17
	0x24, // map, width 1
	0x01, // root width 1
}

// vectorMixed is the untyped vector [300, true] with width 2.
var vectorMixed = []byte{
	0x02, 0x00, // offset 0: size 2 as uint16
	0x2c, 0x01, // offset 2: 300 as int16
	0x01, 0x00, // offset 4: true in 2 bytes
	0x05, // offset 6: type of element 0: int, width 2
	0x68, // offset 7: type of element 1: bool
	0x06, // offset 8, root cell: 8-6 = offset 2
	0x29, // vector, width 2: 10<<2 | 1
	0x01, // root width 1
}

// vectorInt8 is the typed vector [1, 2, 3] of int8.
var vectorInt8 = []byte{
	0x03,             // offset 0: size 3
	0x01, 0x02, 0x03, // offset 1: elements
	0x03, // offset 4, root cell: 4-3 = offset 1
	0x2c, // typed int vector, width 1: 11<<2
	0x01, // root width 1
}

// vectorFloat2 is the fixed-length pair [1.5, -2] of float32: no size field.
var vectorFloat2 = []byte{
	0x00, 0x00, 0xc0, 0x3f, // offset 0: 1.5
	0x00, 0x00, 0x00, 0xc0, // offset 4: -2.0 = 0xc0000000
	0x08, // offset 8, root cell: 8-8 = offset 0
	0x4a, // fixed float pair, width 4: 18<<2 | 2
	0x01, // root width 1
}

// vectorBool is the typed vector [true, false].
var vectorBool = []byte{
	0x02,       // offset 0: size 2
	0x01, 0x00, // offset 1: elements
	0x02, // offset 3, root cell: 3-2 = offset 1
	0x90, // bool vector, width 1: 36<<2
	0x01, // root width 1
}

func root(t *testing.T, buf []byte) Value {
	t.Helper()
	v, err := Root(buf)
	if err != nil {
		t.Fatalf("Root: %v", err)
	}
	return v
}

func TestStrings(t *testing.T) {
	for name, tc := range map[string]struct {
		buf  []byte
		want string
	}{"string": {strHi, "hi"}, "key": {keyAB, "ab"}} {
		v := root(t, tc.buf)
		if s, err := v.String(); err != nil || s != tc.want {
			t.Errorf("%s: String() = %q, %v; want %q", name, s, err, tc.want)
		}
		if _, err := v.Int(); !errors.Is(err, ErrType) {
			t.Errorf("%s: Int() error = %v, want ErrType", name, err)
		}
	}
}

func TestMapIntBool(t *testing.T) {
	m, err := root(t, mapIntBool).Map()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 {
		t.Fatalf("got %d entries, want 2", len(m))
	}
	if a, err := m["a"].Int(); err != nil || a != 7 {
		t.Errorf(`m["a"].Int() = %d, %v; want 7`, a, err)
	}
	if b, err := m["b"].Bool(); err != nil || !b {
		t.Errorf(`m["b"].Bool() = %v, %v; want true`, b, err)
	}
	if !m["missing"].IsNull() {
		t.Error("a missing key is not null")
	}
}

func TestMapStringFloat(t *testing.T) {
	m, err := root(t, mapStringFloat).Map()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := m["k"].String(); err != nil || s != "s" {
		t.Errorf(`m["k"].String() = %q, %v; want "s"`, s, err)
	}
	if f, err := m["x"].Float(); err != nil || f != 0.5 {
		t.Errorf(`m["x"].Float() = %v, %v; want 0.5`, f, err)
	}
	if _, err := m["x"].Int(); !errors.Is(err, ErrRange) {
		t.Errorf(`m["x"].Int() error = %v, want ErrRange`, err)
	}
}

func TestVectors(t *testing.T) {
	tests := []struct {
		name string
		buf  []byte
		want []float64 // each element read with Float
	}{
		{"untyped", vectorMixed, []float64{300, 1}},
		{"typed int8", vectorInt8, []float64{1, 2, 3}},
		{"fixed float pair", vectorFloat2, []float64{1.5, -2}},
		{"typed bool", vectorBool, []float64{1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := root(t, tc.buf)
			elems, err := v.Vector()
			if err != nil {
				t.Fatal(err)
			}
			if len(elems) != len(tc.want) {
				t.Fatalf("got %d elements, want %d", len(elems), len(tc.want))
			}
			for i, e := range elems {
				if f, err := e.Float(); err != nil || f != tc.want[i] {
					t.Errorf("element %d = %v, %v; want %v", i, f, err, tc.want[i])
				}
			}
			if _, err := v.Map(); !errors.Is(err, ErrType) {
				t.Errorf("Map() error = %v, want ErrType", err)
			}
		})
	}
	if _, err := root(t, mapIntBool).Vector(); !errors.Is(err, ErrType) {
		t.Errorf("Vector() of a map: error %v, want ErrType", err)
	}
}
