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

// TestCode pins the code of every error a client can meet, bare and wrapped, grouped by code.
func TestCode(t *testing.T) {
	want := map[string][]error{
		"busy":               {ErrBusy},
		"shutting_down":      {ErrClosed},
		"loading":            {ErrNotReady},
		"no_frame":           {ErrNoFrame},
		"timeout":            {context.DeadlineExceeded},
		"canceled":           {context.Canceled},
		"unauthorized":       {ErrUnauthorized},
		"method_not_allowed": {ErrMethod},
		"unknown_task":       {ErrUnknownTask},
		"unknown_model":      {catalog.ErrUnknownModel},
		"not_installed":      {catalog.ErrNotInstalled},
		"bad_model":          {models.ErrBadModel, catalog.ErrChecksum, catalog.ErrBadCard},
		"bad_option":         {models.ErrBadOption},
		"too_large":          {preprocess.ErrTooLarge},
		"unsupported_format": {preprocess.ErrUnsupportedFormat},
		"bad_image":          {preprocess.ErrBadImage},
		"bad_request":        {ErrBadRequest},
		"not_found":          {ErrNotFound, fs.ErrNotExist},
		// Only `models pull` meets a failed download, and says what failed.
		Internal: {errors.New("disk on fire"), catalog.ErrDownload},
	}
	for code, errs := range want {
		for _, err := range errs {
			if got := Code(err); got != code {
				t.Errorf("Code(%v) = %s, want %s", err, got, code)
			}
			if got := Code(fmt.Errorf("reading frame 7: %w", err)); got != code {
				t.Errorf("Code(wrapped %v) = %s, want %s", err, got, code)
			}
		}
	}
	// An error wrapping two sentinels has the code that comes first in the vocabulary.
	if got := Code(fmt.Errorf("%w: %w", models.ErrBadModel, preprocess.ErrBadImage)); got != "bad_model" {
		t.Errorf("bad model wrapping a bad image: %s, want bad_model", got)
	}
}
