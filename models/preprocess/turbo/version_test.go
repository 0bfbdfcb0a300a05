//go:build cgo

package turbo

import (
	"regexp"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	v, lib := Version()
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(v) {
		t.Errorf("version %q is not a release number", v)
	}
	if !strings.Contains(lib, "libturbojpeg.so") {
		t.Errorf("library %q is not libturbojpeg", lib)
	}
}
