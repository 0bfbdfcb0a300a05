package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ORTLibrary returns the ONNX Runtime shared library installed by `make setup`, or the one
// named by VISIOND_ORT_LIB. Missing, it skips (or fails under VISIOND_REQUIRE_TESTDATA=1).
func ORTLibrary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("VISIOND_ORT_LIB"); p != "" {
		return need(t, p)
	}
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	return need(t, filepath.Join(Root(t), ".deps", "onnxruntime-1.30.0-linux-"+arch, "libonnxruntime.so.1"))
}
