package flexbuf

import (
	"errors"
	"testing"
)

// patched returns a copy of buf with the byte at i set to b.
func patched(buf []byte, i int, b byte) []byte {
	out := append([]byte(nil), buf...)
	out[i] = b
	return out
}

// read exercises every accessor on v and on the entries and elements below it, and returns
// the first error. It visits at most maxVisits values, because shared children can make a
// small buffer describe an exponentially large tree.
func read(v Value) error {
	visits := 0
	return walk(v, &visits)
}

const maxVisits = 10000

func walk(v Value, visits *int) error {
	if *visits++; *visits > maxVisits {
		return nil
	}
	var err error
	switch {
	case v.typ == typeMap:
		var m map[string]Value
		if m, err = v.Map(); err == nil {
			for _, e := range m {
				if err = walk(e, visits); err != nil {
					break
				}
			}
		}
	case v.typ == typeString || v.typ == typeKey:
		_, err = v.String()
	case v.typ == typeNull:
	default:
		if _, _, typed := v.typ.typedVector(); typed || v.typ == typeVector {
			var elems []Value
			if elems, err = v.Vector(); err == nil {
				for _, e := range elems {
					if err = walk(e, visits); err != nil {
						break
					}
				}
			}
			break
		}
		_, err = v.Float()
	}
	return err
}

func TestCorrupt(t *testing.T) {
	tests := []struct {
		name string
		buf  []byte
	}{
		{"empty", nil},
		{"two bytes", []byte{0x04, 0x01}},
		{"root width 3", []byte{0x00, 0x00, 0x00, 0x04, 0x03}},
		{"root wider than buffer", []byte{0x00, 0x04, 0x08}},
		{"unknown type 27", []byte{0x00, 0x6c, 0x01}},
		{"unknown type 63", []byte{0x00, 0xfc, 0x01}},
		{"float of width 1", []byte{0x00, 0x0c, 0x01}},
		{"indirect int past start", []byte{0x05, 0x18, 0x01}},
		{"indirect int points at itself", []byte{0x00, 0x18, 0x01}},
		// 4-byte indirect int: its offset 1 reaches offset 0, but its 4 bytes would run
		// into the root cell.
		{"indirect int overlaps cell", []byte{0x07, 0x01, 0x1a, 0x01}},
		{"string offset past start", patched(strHi, 4, 0x09)},
		{"string size past cell", patched(strHi, 0, 0x09)},
		{"string size at the cell", patched(strHi, 0, 0x03)},
		{"string not terminated", patched(strHi, 3, 0x41)},
		{"string offset zero", []byte{0x00, 0x14, 0x01}},
		{"key not terminated", patched(keyAB, 2, 0x63)},
		{"map huge size", patched(mapIntBool, 9, 0xff)},
		{"map size one more", patched(mapIntBool, 9, 0x03)},
		{"map keys size differs", patched(mapIntBool, 4, 0x01)},
		{"map key width 3", patched(mapIntBool, 8, 0x03)},
		{"map keys offset past start", patched(mapIntBool, 7, 0x20)},
		{"map keys unsorted", patched(patched(mapIntBool, 0, 0x62), 2, 0x61)},
		{"map keys duplicate", patched(mapIntBool, 2, 0x61)},
		{"map key not terminated", patched(mapIntBool, 3, 0x63)},
		{"map value type unknown", patched(mapIntBool, 13, 0xfc)},
		{"map string value past cell", patched(mapStringFloat, 0, 0x40)},
		{"map indirect float of width 2", patched(mapStringFloat, 20, 0x21)},
		{"vector huge size", patched(vectorMixed, 1, 0xff)},
		{"typed vector size past cell", patched(vectorInt8, 0, 0x04)},
		{"fixed vector past cell", patched(vectorFloat2, 8, 0x04)},
		{
			// Element 1 of this vector points back at the vector itself: following it
			// would loop forever, so it is refused because the vector does not end
			// before the element's cell.
			"vector contains itself",
			[]byte{
				0x02, // offset 0: size 2
				0x00, // offset 1: element 0, int 0
				0x01, // offset 2: element 1, 2-1 = offset 1, the vector's own data
				0x04, // offset 3: type of element 0: int
				0x28, // offset 4: type of element 1: vector, width 1
				0x04, // offset 5, root cell: 5-4 = offset 1
				0x28, // vector, width 1
				0x01, // root width 1
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Root(tc.buf)
			if err == nil {
				err = read(v)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error = %v, want ErrCorrupt", err)
			}
			t.Log(err)
		})
	}
}

// seeds are every hand-built buffer of the tests.
func seeds() [][]byte {
	out := [][]byte{strHi, keyAB, mapIntBool, mapStringFloat, vectorMixed, vectorInt8, vectorFloat2, vectorBool}
	for _, tc := range scalarCases {
		out = append(out, tc.buf)
	}
	return out
}

func TestSeedsRead(t *testing.T) {
	for i, buf := range seeds() {
		v, err := Root(buf)
		if err == nil {
			err = read(v)
		}
		if err != nil && !errors.Is(err, ErrRange) {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

func FuzzRoot(f *testing.F) {
	for _, buf := range seeds() {
		f.Add(buf)
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		v, err := Root(buf)
		if err != nil {
			return
		}
		err = read(v)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrType) && !errors.Is(err, ErrRange) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
	})
}
