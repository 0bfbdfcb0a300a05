package pipeline

import (
	"context"
	"errors"
	"io/fs"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// Errors of the request core, beside those of the packages below it. The transports use the
// request-level ones too, so that every error has one name.
var (
	// ErrBusy: every worker is busy and the queue is full; try again later.
	ErrBusy = errors.New("busy, queue full")
	// ErrUnknownTask: no such task, or no model loaded for it.
	ErrUnknownTask = errors.New("unknown task")
	// ErrClosed: the pipeline is shutting down.
	ErrClosed = errors.New("shutting down")
	// ErrNotReady: the models are still loading.
	ErrNotReady = errors.New("models are still loading")
	// ErrBadRequest: a request (HTTP body, MQTT payload) that cannot be read.
	ErrBadRequest = errors.New("bad request")
	// ErrUnauthorized: an API key is needed and none of the right ones was given.
	ErrUnauthorized = errors.New("missing or wrong API key")
	// ErrNotFound: no such endpoint or file.
	ErrNotFound = errors.New("not found")
	// ErrMethod: the endpoint exists, but not for this method.
	ErrMethod = errors.New("method not allowed")
	// ErrNoFrame: a camera has no answered frame yet (its stream is down or starting).
	ErrNoFrame = errors.New("no frame yet")
)

// codes name every error a client can meet, most specific first. It is the one vocabulary of
// visiond: HTTP turns a code into a status, MQTT and the CLI print it.
var codes = []struct {
	err  error
	code string
}{
	{ErrBusy, "busy"},
	{ErrClosed, "shutting_down"},
	{ErrNotReady, "loading"},
	{ErrNoFrame, "no_frame"},
	{context.DeadlineExceeded, "timeout"},
	{context.Canceled, "canceled"},
	{ErrUnauthorized, "unauthorized"},
	{ErrMethod, "method_not_allowed"},
	{ErrUnknownTask, "unknown_task"},
	{catalog.ErrUnknownModel, "unknown_model"},
	{catalog.ErrNotInstalled, "not_installed"},
	{catalog.ErrChecksum, "bad_model"},
	{catalog.ErrBadCard, "bad_model"},
	{models.ErrBadModel, "bad_model"},
	{models.ErrBadOption, "bad_option"},
	{preprocess.ErrTooLarge, "too_large"},
	{preprocess.ErrUnsupportedFormat, "unsupported_format"},
	{preprocess.ErrBadImage, "bad_image"},
	{ErrBadRequest, "bad_request"},
	{ErrNotFound, "not_found"},
	{fs.ErrNotExist, "not_found"},
}

// Internal is the code of every error outside the vocabulary: a bug, whose details belong
// in the log rather than in an answer.
const Internal = "internal"

// Code is the stable, machine-readable name of err ("bad_image", "busy", ...), or Internal.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return Internal
}
