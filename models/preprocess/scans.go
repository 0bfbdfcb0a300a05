package preprocess

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The work a JPEG may ask of a decoder. A progressive JPEG's decoders pass over every block of
// the image once per scan, so a file can repeat a small scan hundreds of times and cost minutes
// of CPU from a few hundred kilobytes (Go's decoder, which has no scan limit, took 30 s and more
// for 600 scans over 6000×6000). Encoders write 1 to 3 scans (baseline) or about 10
// (progressive); these bounds leave room for unusual scripts and refuse the rest before any
// pixel is decoded.
const (
	// MaxJPEGScans is the most scans a JPEG may hold.
	MaxJPEGScans = 64
	// MaxJPEGScanPixels bounds scans × width × height: 16 passes over 40 megapixels, the
	// decoding work of a large progressive photo with room to spare.
	MaxJPEGScanPixels = 16 * 40_000_000
)

// checkScans refuses a JPEG whose scans would make decoding cost more than the bounds above,
// naming the reason. It reads the markers only: the size from the frame header, and one count
// per start of scan, skipping the entropy-coded data between them. Malformed structure is left
// to the decoders, which explain it better, as is a size over maxPixels (ErrTooLarge).
func checkScans(data []byte, maxPixels int64) error {
	scans, w, h := jpegScans(data)
	switch {
	case int64(w)*int64(h) > maxPixels:
		return nil
	case scans > MaxJPEGScans:
		return fmt.Errorf("%w: jpeg: %d scans, limit %d (a progressive JPEG repeating its scans costs minutes of decoding)", ErrBadImage, scans, MaxJPEGScans)
	case int64(scans)*int64(w)*int64(h) > MaxJPEGScanPixels:
		return fmt.Errorf("%w: jpeg: %d scans over %dx%d pixels is more decoding work than allowed (scans × pixels at most %d)",
			ErrBadImage, scans, w, h, MaxJPEGScanPixels)
	}
	return nil
}

// jpegScans counts the starts of scan in a JPEG and reads its frame size, stopping at the end
// of the image or at the first byte that breaks the marker structure.
func jpegScans(data []byte) (scans, w, h int) {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return scans, w, h
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9: // EOI
			return scans, w, h
		case m == 0x01 || m >= 0xD0 && m <= 0xD7: // markers without a length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		end := i + 2 + n
		if n < 2 || end > len(data) {
			return scans, w, h
		}
		if isSOF(m) && n >= 7 {
			h, w = int(binary.BigEndian.Uint16(data[i+5:])), int(binary.BigEndian.Uint16(data[i+7:]))
		}
		i = end
		if m != 0xDA {
			continue
		}
		scans++
		i = skipEntropy(data, i)
	}
	return scans, w, h
}

// skipEntropy returns the position of the marker that ends the entropy-coded data starting at
// i: a 0xFF followed by neither a stuffed zero nor a restart marker.
func skipEntropy(data []byte, i int) int {
	for {
		j := bytes.IndexByte(data[i:], 0xFF)
		if j < 0 || i+j+1 >= len(data) {
			return len(data)
		}
		i += j
		if next := data[i+1]; next != 0x00 && (next < 0xD0 || next > 0xD7) {
			return i
		}
		i += 2
	}
}

// isSOF reports whether m starts a frame (SOF0–SOF15, but not DHT, JPG or DAC).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}
