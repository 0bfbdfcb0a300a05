package preprocess

import (
	"bytes"
	"encoding/binary"
)

// exifOrientation returns the orientation tag (0x0112) of IFD0 in a JPEG's EXIF segment, or 1
// when there is none or anything on the way is malformed. Every read is bounds-checked.
func exifOrientation(b []byte) int {
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xd8 {
		return 1
	}
	p := 2
	for p+4 <= len(b) {
		if b[p] != 0xff {
			return 1
		}
		marker := b[p+1]
		if marker == 0xff { // fill byte before a marker
			p++
			continue
		}
		p += 2
		switch {
		case marker == 0x01 || marker == 0xd8 || marker >= 0xd0 && marker <= 0xd7:
			continue // markers without a length
		case marker == 0xd9 || marker == 0xda:
			return 1 // metadata comes before the first scan
		}
		n := int(binary.BigEndian.Uint16(b[p:]))
		if n < 2 || n > len(b)-p {
			return 1
		}
		if seg := b[p+2 : p+n]; marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		p += n
	}
	return 1
}

// tiffOrientation reads the orientation from the TIFF structure inside an EXIF segment: a
// byte-order mark, the offset of IFD0, then IFD0's 12-byte entries (tag, type, count, value).
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	entries := t[off+2:]
	for i := 0; i < count && 12*i+12 <= len(entries); i++ {
		e := entries[12*i:]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		const typeShort = 3
		if bo.Uint16(e[2:]) != typeShort || bo.Uint32(e[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
