//go:build cgo

package turbo

import "errors"

// Sentinel errors; errors.Is matches them through the wrapped details.
var (
	// ErrBadJPEG means the bytes are not a JPEG that libjpeg-turbo decodes cleanly: empty,
	// truncated, corrupt (any libjpeg warning counts), or a variant it cannot turn into RGB.
	ErrBadJPEG = errors.New("bad JPEG")
	// ErrTooLarge means the header declares more pixels than the caller's limit.
	ErrTooLarge = errors.New("JPEG too large")
)
