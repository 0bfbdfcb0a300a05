package preprocess

import "errors"

// Sentinel errors; errors.Is matches them through the wrapped details.
var (
	// ErrBadImage means the bytes are not an image, or a truncated or corrupt one.
	ErrBadImage = errors.New("bad image")
	// ErrTooLarge means the input is over Limits: too many bytes or too many pixels.
	ErrTooLarge = errors.New("image too large")
	// ErrUnsupportedFormat means the bytes are an image in a format or variant this package does
	// not decode (TIFF, HEIF/AVIF, animated WebP, arithmetic-coded JPEG...).
	ErrUnsupportedFormat = errors.New("unsupported image format")
	// ErrBadLayout means a tensor layout or its arguments are unusable: a size out of range, an
	// unknown Fit, a destination of the wrong length, a zero or non-finite std.
	ErrBadLayout = errors.New("bad tensor layout")
)
