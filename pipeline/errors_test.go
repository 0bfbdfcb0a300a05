package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// TestCode pins the code of every error a client can meet, bare and wrapped.
func TestCode(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{ErrBusy, "busy"},
		{ErrClosed, "shutting_down"},
		{ErrNotReady, "loading"},
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
		{errors.New("disk on fire"), Internal},
		{catalog.ErrDownload, Internal}, // only `models pull` meets it, and says what failed
	}
	for _, c := range cases {
		if got := Code(c.err); got != c.code {
			t.Errorf("Code(%v) = %s, want %s", c.err, got, c.code)
		}
		if got := Code(fmt.Errorf("reading frame 7: %w", c.err)); got != c.code {
			t.Errorf("Code(wrapped %v) = %s, want %s", c.err, got, c.code)
		}
	}
	// An error wrapping two sentinels has the code that comes first in the vocabulary.
	if got := Code(fmt.Errorf("%w: %w", models.ErrBadModel, preprocess.ErrBadImage)); got != "bad_model" {
		t.Errorf("bad model wrapping a bad image: %s, want bad_model", got)
	}
}
