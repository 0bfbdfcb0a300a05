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
	// ErrDownload means a model file could not be fetched from its source or mirror.
	ErrDownload = errors.New("download failed")
)
