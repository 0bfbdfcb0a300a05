package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixture returns the bytes of a file of testdata/images: tiny images the project makes
// itself (see TestFixtureImages), for format and error tests.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(t), "testdata", "images", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A BadInput is a request that every entrance (HTTP, MQTT, CLI) must refuse with the same
// error code.
type BadInput struct {
	Name  string
	Image []byte
	// Model names the model asked for; empty asks for the task's default.
	Model string
	// Code is the error code the request must get (see pipeline.Code).
	Code string
}

// BadInputs are the bad requests the entrances test alike, for the detect task.
func BadInputs(t testing.TB) []BadInput {
	t.Helper()
	return []BadInput{
		{"text named .jpg", Fixture(t, "not-an-image.jpg"), "", "bad_image"},
		{"truncated JPEG", Fixture(t, "truncated.jpg"), "", "bad_image"},
		{"TIFF", Fixture(t, "header-only.tif"), "", "unsupported_format"},
		{"pixel bomb", Fixture(t, "bomb-100000x100000.png"), "", "too_large"},
		{"unknown model", Fixture(t, "gradient-64x48.png"), "yolo", "unknown_model"},
	}
}
