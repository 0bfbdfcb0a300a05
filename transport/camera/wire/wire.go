// Package wire is the stream of records the capture helper (cmd/visiond-capture) writes to
// visiond on its standard output: decoded frames as RGBA pixels, and notes of frames the
// stream could not decode. Every record starts with a fixed 24-byte header; sizes are checked
// against a pixel limit before any pixel is read, so a broken helper cannot make visiond
// allocate without bound.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Kind says what a record is.
type Kind byte

const (
	// Frame carries Width×Height RGBA pixels after its header.
	Frame Kind = 'F'
	// DecodeError notes a frame the stream delivered but could not decode; no pixels follow.
	DecodeError Kind = 'E'
)

// magic starts every record, so that a helper writing anything else is caught at once.
var magic = [3]byte{'v', 'd', 'f'}

// headerSize is the size of a record's header: magic, kind, width, height, 4 spare bytes and
// the capture time in Unix nanoseconds.
const headerSize = 24

// ErrProtocol: the helper wrote something that is not a record, or a frame over the limit.
var ErrProtocol = errors.New("capture protocol error")

// Record is one record. For a Frame, Pix holds Width*Height*4 bytes (RGBA, opaque).
type Record struct {
	Kind          Kind
	Width, Height int
	Time          time.Time
	Pix           []byte
}

// Write writes one record. For a Frame, pix must hold width*height*4 bytes.
func Write(w io.Writer, kind Kind, width, height int, at time.Time, pix []byte) error {
	if kind == Frame && len(pix) != width*height*4 {
		return fmt.Errorf("%w: %d bytes of pixels for %dx%d", ErrProtocol, len(pix), width, height)
	}
	var h [headerSize]byte
	copy(h[:3], magic[:])
	h[3] = byte(kind)
	binary.LittleEndian.PutUint32(h[4:], uint32(width))
	binary.LittleEndian.PutUint32(h[8:], uint32(height))
	binary.LittleEndian.PutUint64(h[16:], uint64(at.UnixNano()))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	if kind != Frame {
		return nil
	}
	_, err := w.Write(pix)
	return err
}

// Read reads the next record into rec, reusing rec.Pix when it is large enough. A frame of
// more than maxPixels pixels, an unknown kind or a bad header is ErrProtocol; the end of the
// stream between records is io.EOF.
func Read(r io.Reader, rec *Record, maxPixels int64) error {
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: stream ends inside a header", ErrProtocol)
		}
		return err
	}
	if [3]byte(h[:3]) != magic {
		return fmt.Errorf("%w: bad magic %q", ErrProtocol, h[:3])
	}
	rec.Kind = Kind(h[3])
	w, ht := int64(binary.LittleEndian.Uint32(h[4:])), int64(binary.LittleEndian.Uint32(h[8:]))
	rec.Time = time.Unix(0, int64(binary.LittleEndian.Uint64(h[16:])))
	switch rec.Kind {
	case DecodeError:
		rec.Width, rec.Height = 0, 0
		return nil
	case Frame:
	default:
		return fmt.Errorf("%w: unknown record kind %q", ErrProtocol, h[3])
	}
	if w == 0 || ht == 0 || w > maxPixels || ht > maxPixels || w*ht > maxPixels {
		return fmt.Errorf("%w: frame of %dx%d pixels (limit %d)", ErrProtocol, w, ht, maxPixels)
	}
	rec.Width, rec.Height = int(w), int(ht)
	n := int(w * ht * 4)
	if cap(rec.Pix) < n {
		rec.Pix = make([]byte, n)
	}
	rec.Pix = rec.Pix[:n]
	if _, err := io.ReadFull(r, rec.Pix); err != nil {
		return fmt.Errorf("%w: stream ends inside a frame: %v", ErrProtocol, err)
	}
	return nil
}
