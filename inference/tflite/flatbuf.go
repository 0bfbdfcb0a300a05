package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
)

// reader walks a FlatBuffer with every offset and length checked against the buffer. The
// first violation is kept in err and later reads return zero values, so callers check err
// once per object instead of after every field.
type reader struct {
	b   []byte
	err error
}

// table is a FlatBuffer table: its position and its vtable.
type table struct {
	pos    int // start of the table object
	vt     int // start of its vtable
	vtLen  int // vtable size in bytes
	objLen int // table object size in bytes
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// has reports whether n bytes can be read at off.
func (r *reader) has(off, n int) bool {
	if r.err != nil {
		return false
	}
	if off < 0 || n < 0 || off > len(r.b) || n > len(r.b)-off {
		r.fail("offset %d+%d outside the %d-byte file", off, n, len(r.b))
		return false
	}
	return true
}

func (r *reader) u8(off int) uint8 {
	if !r.has(off, 1) {
		return 0
	}
	return r.b[off]
}

func (r *reader) u16(off int) uint16 {
	if !r.has(off, 2) {
		return 0
	}
	return binary.LittleEndian.Uint16(r.b[off:])
}

func (r *reader) u32(off int) uint32 {
	if !r.has(off, 4) {
		return 0
	}
	return binary.LittleEndian.Uint32(r.b[off:])
}

func (r *reader) u64(off int) uint64 {
	if !r.has(off, 8) {
		return 0
	}
	return binary.LittleEndian.Uint64(r.b[off:])
}

// deref follows the unsigned offset stored at off.
func (r *reader) deref(off int) int {
	v := r.u32(off)
	if r.err != nil {
		return 0
	}
	target := uint64(off) + uint64(v)
	if target >= uint64(len(r.b)) {
		r.fail("offset at %d points past the end of the file", off)
		return 0
	}
	return int(target)
}

// table reads the table whose object starts at pos.
func (r *reader) table(pos int) table {
	soff := int32(r.u32(pos))
	if r.err != nil {
		return table{}
	}
	vt := int64(pos) - int64(soff)
	if vt < 0 || vt > int64(len(r.b)) {
		r.fail("table at %d has its vtable outside the file", pos)
		return table{}
	}
	t := table{pos: pos, vt: int(vt)}
	t.vtLen = int(r.u16(t.vt))
	t.objLen = int(r.u16(t.vt + 2))
	if r.err != nil {
		return table{}
	}
	if t.vtLen < 4 || t.vtLen%2 != 0 || !r.has(t.vt, t.vtLen) || t.objLen < 4 || !r.has(pos, t.objLen) {
		r.fail("table at %d has a malformed vtable", pos)
		return table{}
	}
	return t
}

// field returns the absolute position of field id of t holding size bytes, or -1 when the
// field is absent.
func (r *reader) field(t table, id, size int) int {
	if r.err != nil {
		return -1
	}
	slot := 4 + 2*id
	if slot+2 > t.vtLen {
		return -1
	}
	o := int(r.u16(t.vt + slot))
	if o == 0 {
		return -1
	}
	if o+size > t.objLen {
		r.fail("field %d of table at %d lies outside the table", id, t.pos)
		return -1
	}
	return t.pos + o
}

func (r *reader) fieldU8(t table, id int, def uint8) uint8 {
	if p := r.field(t, id, 1); p >= 0 {
		return r.u8(p)
	}
	return def
}

func (r *reader) fieldI32(t table, id int, def int32) int32 {
	if p := r.field(t, id, 4); p >= 0 {
		return int32(r.u32(p))
	}
	return def
}

func (r *reader) fieldU32(t table, id int, def uint32) uint32 {
	if p := r.field(t, id, 4); p >= 0 {
		return r.u32(p)
	}
	return def
}

func (r *reader) fieldU64(t table, id int, def uint64) uint64 {
	if p := r.field(t, id, 8); p >= 0 {
		return r.u64(p)
	}
	return def
}

func (r *reader) fieldF32(t table, id int, def float32) float32 {
	if p := r.field(t, id, 4); p >= 0 {
		return math.Float32frombits(r.u32(p))
	}
	return def
}

// fieldTable returns the sub-table of field id and whether it is present.
func (r *reader) fieldTable(t table, id int) (table, bool) {
	p := r.field(t, id, 4)
	if p < 0 {
		return table{}, false
	}
	pos := r.deref(p)
	if r.err != nil {
		return table{}, false
	}
	return r.table(pos), r.err == nil
}

// fieldVector returns the start of the elements and the length of vector field id whose
// elements are elemSize bytes each; a missing field is an empty vector.
func (r *reader) fieldVector(t table, id, elemSize int) (start, n int) {
	p := r.field(t, id, 4)
	if p < 0 {
		return 0, 0
	}
	vec := r.deref(p)
	count := r.u32(vec)
	if r.err != nil {
		return 0, 0
	}
	if uint64(count)*uint64(elemSize) > uint64(len(r.b)-vec-4) {
		r.fail("vector at %d claims %d elements, more than the file holds", vec, count)
		return 0, 0
	}
	return vec + 4, int(count)
}

func (r *reader) fieldBytes(t table, id int) []byte {
	start, n := r.fieldVector(t, id, 1)
	if r.err != nil || n == 0 {
		return nil
	}
	return r.b[start : start+n : start+n]
}

func (r *reader) fieldString(t table, id int) string {
	return string(r.fieldBytes(t, id))
}

func (r *reader) fieldI32s(t table, id int) []int32 {
	start, n := r.fieldVector(t, id, 4)
	if r.err != nil || n == 0 {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(r.b[start+4*i:]))
	}
	return out
}

func (r *reader) fieldI64s(t table, id int) []int64 {
	start, n := r.fieldVector(t, id, 8)
	if r.err != nil || n == 0 {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(r.b[start+8*i:]))
	}
	return out
}

func (r *reader) fieldF32s(t table, id int) []float32 {
	start, n := r.fieldVector(t, id, 4)
	if r.err != nil || n == 0 {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(r.b[start+4*i:]))
	}
	return out
}

// fieldTables returns the tables of a vector-of-tables field.
func (r *reader) fieldTables(t table, id int) []table {
	start, n := r.fieldVector(t, id, 4)
	if r.err != nil || n == 0 {
		return nil
	}
	out := make([]table, n)
	for i := range out {
		out[i] = r.table(r.deref(start + 4*i))
		if r.err != nil {
			return nil
		}
	}
	return out
}
