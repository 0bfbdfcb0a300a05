package preprocess

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// Limits bounds what Decode accepts. A field that is zero or negative takes DefaultLimits' value.
type Limits struct {
	// MaxBytes is the largest encoded input, in bytes.
	MaxBytes int64
	// MaxPixels is the largest width*height, checked against the header before decoding.
	MaxPixels int64
}

// DefaultLimits are 32 MiB of input and 40 megapixels (a 40 MP image decodes to at most 160 MB).
var DefaultLimits = Limits{MaxBytes: 32 << 20, MaxPixels: 40_000_000}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultLimits.MaxPixels
	}
	return l
}

// Info describes a decoded image.
type Info struct {
	// Format is the format sniffed from the bytes.
	Format Format
	// Width and Height are the original image's size, after orientation. The decoded image is
	// this size, or a *Reduced standing for it.
	Width, Height int
	// Orientation is the EXIF orientation (1–8) that was applied: 1 when the file has none or
	// an invalid one, and always 1 for formats other than JPEG.
	Orientation int
}

// Decode decodes an image from bytes that come from outside, at full size. It sniffs the format
// from the bytes, rejects inputs over lim (bytes first, then the pixel count declared in the
// header, before any pixel is decoded), and turns JPEGs upright according to their EXIF
// orientation. The returned image's bounds start at (0, 0).
//
// Errors wrap ErrBadImage (empty, not an image, truncated, corrupt), ErrTooLarge or
// ErrUnsupportedFormat, with the details after the sentinel's text.
func Decode(data []byte, lim Limits) (image.Image, Info, error) {
	return DecodeAtLeast(data, lim, math.MaxInt, math.MaxInt)
}

// DecodeAtLeast is Decode for a model that needs only minW×minH pixels: a JPEG at least twice
// that size is decoded by libjpeg-turbo at the smallest of the scales 1/2, 1/4 and 1/8 that
// keeps at least that many, which is several times faster, and returned as a *Reduced. Other formats, and JPEGs
// that libjpeg-turbo refuses, are decoded at full size by Go's decoders.
func DecodeAtLeast(data []byte, lim Limits, minW, minH int) (image.Image, Info, error) {
	return DecodeContext(context.Background(), data, lim, minW, minH)
}

// DecodeContext is DecodeAtLeast within ctx, so that a decode counts against a request's
// deadline: a JPEG whose scans ask for more work than MaxJPEGScans and MaxJPEGScanPixels allow
// is refused before decoding (ErrBadImage), and Go's decoders read their input through ctx,
// stopping with its error when it ends.
func DecodeContext(ctx context.Context, data []byte, lim Limits, minW, minH int) (image.Image, Info, error) {
	lim = lim.withDefaults()
	if len(data) == 0 {
		return nil, Info{}, fmt.Errorf("%w: empty input", ErrBadImage)
	}
	if n := int64(len(data)); n > lim.MaxBytes {
		return nil, Info{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, lim.MaxBytes)
	}
	f, err := sniff(data)
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{Format: f, Orientation: 1}
	if f == JPEG {
		if err := checkScans(data, lim.MaxPixels); err != nil {
			return nil, Info{}, err
		}
		info.Orientation = exifOrientation(data)
		img, w, h, ok, err := decodeJPEG(data, lim, minW, minH, info.Orientation)
		if ok {
			info.Width, info.Height = w, h
			return img, info, err
		}
	}
	img, err := decodeGo(ctx, data, lim, f)
	if err != nil {
		return nil, Info{}, err
	}
	img = orient(img, info.Orientation)
	b := img.Bounds()
	info.Width, info.Height = b.Dx(), b.Dy()
	return img, info, nil
}

// decodeGo decodes data of format f with Go's decoders, checking the header against lim first.
// The decoder reads through ctx: when it ends, the decode stops at its next read.
func decodeGo(ctx context.Context, data []byte, lim Limits, f Format) (image.Image, error) {
	c := codecFor(f)
	cfg, err := guard(func() (image.Config, error) { return c.config(bytes.NewReader(data)) })
	if err != nil {
		return nil, decodeError(f, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s header declares %dx%d pixels", ErrBadImage, f, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d is %d pixels, limit %d", ErrTooLarge, cfg.Width, cfg.Height, px, lim.MaxPixels)
	}
	img, err := guard(func() (image.Image, error) { return c.decode(ctxReader{ctx, bytes.NewReader(data)}) })
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("decoding %s stopped: %w", f, ctx.Err())
	}
	if err != nil {
		return nil, decodeError(f, err)
	}
	return fitHeader(img, cfg)
}

// ReadLimited reads a whole input for Decode, such as a request body, without reading more
// than lim.MaxBytes+1 bytes: a longer input is an ErrTooLarge error.
func ReadLimited(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading image: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes, limit %d", ErrTooLarge, lim.MaxBytes, lim.MaxBytes)
	}
	return data, nil
}

// ctxReader reads from r until ctx ends, then fails with ctx's error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

func codecFor(f Format) codec {
	switch f {
	case JPEG:
		return codec{jpeg.DecodeConfig, jpeg.Decode}
	case PNG:
		return codec{png.DecodeConfig, png.Decode}
	case GIF:
		return codec{gif.DecodeConfig, gif.Decode}
	case BMP:
		return codec{bmp.DecodeConfig, bmp.Decode}
	default:
		return codec{webp.DecodeConfig, webp.Decode}
	}
}

// guard runs a decoder, turning a panic inside it (a decoder bug met by hostile input) into an
// error, so that no input can bring the daemon down.
func guard[T any](run func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	return run()
}

func decodeError(f Format, err error) error {
	var je jpeg.UnsupportedError
	var pe png.UnsupportedError
	if errors.As(err, &je) || errors.As(err, &pe) {
		return fmt.Errorf("%w: %s: %w", ErrUnsupportedFormat, f, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrBadImage, f, err)
}

// fitHeader checks the decoded image against the size its header declared. A GIF's first frame
// may cover only part of the logical screen; it is drawn onto a transparent screen-sized canvas,
// as browsers show it.
func fitHeader(img image.Image, cfg image.Config) (image.Image, error) {
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	b := img.Bounds()
	if b == screen {
		return img, nil
	}
	if !b.In(screen) {
		return nil, fmt.Errorf("%w: decoded bounds %v exceed the header's %dx%d", ErrBadImage, b, cfg.Width, cfg.Height)
	}
	canvas := image.NewNRGBA(screen)
	draw.Draw(canvas, b, img, b.Min, draw.Src)
	return canvas, nil
}
