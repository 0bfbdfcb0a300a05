package annotate

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"sync"
)

// Format is an output image encoding.
type Format string

// The formats Encode writes.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
)

// DefaultJPEGQuality is the JPEG quality Encode uses when asked for 0.
const DefaultJPEGQuality = 85

// Errors returned by Encode for bad arguments.
var (
	ErrUnknownFormat = errors.New("annotate: unknown image format")
	ErrBadQuality    = errors.New("annotate: JPEG quality must be 1..100 (0 for the default)")
)

// pngEncoder favours speed over size (annotated frames are served live) and reuses its
// compression buffers across calls.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// Encode writes img to w in format f. jpegQuality (1..100, 0 = DefaultJPEGQuality) applies
// to JPEG only; PNG is compressed at its fastest level.
func Encode(w io.Writer, img image.Image, f Format, jpegQuality int) error {
	if img == nil {
		return errors.New("annotate: no image to encode")
	}
	switch f {
	case JPEG:
		if jpegQuality == 0 {
			jpegQuality = DefaultJPEGQuality
		}
		if jpegQuality < 1 || jpegQuality > 100 {
			return fmt.Errorf("%w: got %d", ErrBadQuality, jpegQuality)
		}
		return encodeJPEG(w, img, jpegQuality)
	case PNG:
		return pngEncoder.Encode(w, img)
	}
	return fmt.Errorf("%w: %q (want %q or %q)", ErrUnknownFormat, f, JPEG, PNG)
}

// pngBuffers is a png.EncoderBufferPool backed by a sync.Pool.
type pngBuffers struct{ pool sync.Pool }

// Get returns a pooled buffer, or nil so that the encoder makes a new one.
func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

// Put returns a buffer to the pool.
func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }
