package models

import "errors"

// Errors of running models, beside those of package catalog.
var (
	// ErrBadOption means a task option (top, min score, classes...) is out of range.
	ErrBadOption = errors.New("bad option")
	// ErrBadModel means a model file does not fit its task: unreadable, or its inputs, outputs
	// or labels are not what the task needs.
	ErrBadModel = errors.New("bad model")
)
