package flexbuf

import "fmt"

// Map returns the entries of a map. Keys must be unique and sorted, as the format requires
// for lookups; their total length may not exceed the buffer's, which bounds the work a
// hostile buffer can cause.
//
// A map is laid out as an untyped vector of values preceded by three fields of the map's
// byte width: an offset to a typed vector of keys, that vector's byte width, and the count.
func (v Value) Map() (map[string]Value, error) {
	if v.typ != typeMap {
		return nil, fmt.Errorf("%w: %v is not a map", ErrType, v.typ)
	}
	t, err := v.target()
	if err != nil {
		return nil, err
	}
	w := v.width
	n, err := readSize(v.buf, t-w, w, w+1, v.pos-t)
	if err != nil {
		return nil, err
	}
	kw, err := readUint(v.buf, t-2*w, w)
	if err != nil {
		return nil, err
	}
	if !validWidth(int(kw)) {
		return nil, fmt.Errorf("%w: map at %d has key width %d", ErrCorrupt, t, kw)
	}
	keys := Value{buf: v.buf, pos: t - 3*w, parentWidth: w, width: int(kw), typ: typeVectorKey}
	kt, err := keys.target()
	if err != nil {
		return nil, err
	}
	kn, err := readSize(v.buf, kt-keys.width, keys.width, keys.width, keys.pos-kt)
	if err != nil {
		return nil, err
	}
	if kn != n {
		return nil, fmt.Errorf("%w: map at %d has %d values but %d keys", ErrCorrupt, t, n, kn)
	}
	m := make(map[string]Value, n)
	budget := len(v.buf)
	prev := ""
	for i := range n {
		k := Value{buf: v.buf, pos: kt + i*keys.width, parentWidth: keys.width, typ: typeKey}
		name, err := k.String()
		if err != nil {
			return nil, err
		}
		if budget -= len(name) + 1; budget < 0 {
			return nil, fmt.Errorf("%w: keys of the map at %d overlap", ErrCorrupt, t)
		}
		if i > 0 && name <= prev {
			return nil, fmt.Errorf("%w: keys of the map at %d are not sorted and unique at %q", ErrCorrupt, t, name)
		}
		val, err := newValue(v.buf, t+i*w, w, v.buf[t+n*w+i])
		if err != nil {
			return nil, err
		}
		m[name] = val
		prev = name
	}
	return m, nil
}

// Vector returns the elements of an untyped vector, a typed vector or a fixed-length typed
// vector.
//
// An untyped vector is its count, its elements and one packed type byte per element. A typed
// vector has no type bytes, and a fixed-length one (2, 3 or 4 elements) has no count either.
func (v Value) Vector() ([]Value, error) {
	elem, n, typed := v.typ.typedVector()
	if v.typ != typeVector && !typed {
		return nil, fmt.Errorf("%w: %v is not a vector", ErrType, v.typ)
	}
	t, err := v.target()
	if err != nil {
		return nil, err
	}
	w := v.width
	room := v.pos - t
	switch {
	case !typed:
		if n, err = readSize(v.buf, t-w, w, w+1, room); err != nil {
			return nil, err
		}
	case n == 0:
		if n, err = readSize(v.buf, t-w, w, w, room); err != nil {
			return nil, err
		}
	case n*w > room:
		return nil, fmt.Errorf("%w: vector at %d overruns its reference", ErrCorrupt, t)
	}
	out := make([]Value, n)
	for i := range out {
		if typed {
			out[i] = Value{buf: v.buf, pos: t + i*w, parentWidth: w, width: 1, typ: elem}
			continue
		}
		if out[i], err = newValue(v.buf, t+i*w, w, v.buf[t+n*w+i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
