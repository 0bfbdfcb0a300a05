package flexbuf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// readUint reads an unsigned little-endian integer of width bytes at pos.
func readUint(buf []byte, pos, width int) (uint64, error) {
	if pos < 0 || pos > len(buf)-width {
		return 0, fmt.Errorf("%w: %d-byte read at offset %d of %d bytes", ErrCorrupt, width, pos, len(buf))
	}
	b := buf[pos : pos+width]
	switch width {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("%w: byte width %d", ErrCorrupt, width)
}

// readInt reads a signed little-endian integer of width bytes at pos.
func readInt(buf []byte, pos, width int) (int64, error) {
	u, err := readUint(buf, pos, width)
	if err != nil {
		return 0, err
	}
	shift := 64 - 8*width
	return int64(u<<shift) >> shift, nil
}

// readFloat reads a little-endian float of 4 or 8 bytes at pos.
func readFloat(buf []byte, pos, width int) (float64, error) {
	if width != 4 && width != 8 {
		return 0, fmt.Errorf("%w: float of %d bytes at offset %d", ErrCorrupt, width, pos)
	}
	u, err := readUint(buf, pos, width)
	if err != nil {
		return 0, err
	}
	if width == 4 {
		return float64(math.Float32frombits(uint32(u))), nil
	}
	return math.Float64frombits(u), nil
}

// readSize reads a count of width bytes at pos and checks that count items of itemBytes
// bytes each fit in the room bytes available, so callers can loop over it safely.
func readSize(buf []byte, pos, width, itemBytes, room int) (int, error) {
	n, err := readUint(buf, pos, width)
	if err != nil {
		return 0, err
	}
	if room < 0 || n > uint64(room/itemBytes) {
		return 0, fmt.Errorf("%w: %d items of %d bytes at offset %d overrun their parent", ErrCorrupt, n, itemBytes, pos)
	}
	return int(n), nil
}

// target follows the offset stored in the value's cell and returns the position it points
// to, which always lies before the cell.
func (v Value) target() (int, error) {
	off, err := readUint(v.buf, v.pos, v.parentWidth)
	if err != nil {
		return 0, err
	}
	if off == 0 || off > uint64(v.pos) {
		return 0, fmt.Errorf("%w: offset %d at %d does not point back into the buffer", ErrCorrupt, off, v.pos)
	}
	return v.pos - int(off), nil
}
