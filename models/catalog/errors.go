package catalog

import "errors"

// Errors of model distribution.
var (
	// ErrUnknownModel means no catalog entry or loaded model has the name asked for.
	ErrUnknownModel = errors.New("unknown model")
	// ErrNotInstalled means a model's files are not in the models directory (run `visiond models pull`).
	ErrNotInstalled = errors.New("model not installed")
	// ErrChecksum means a file's SHA-256 is not the one the catalog pins.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrBadCard means a model card cannot be used; the message names the field.
	ErrBadCard = errors.New("bad model card")
	// ErrDownload means a model file could not be fetched from its source or mirror.
	ErrDownload = errors.New("download failed")
)
