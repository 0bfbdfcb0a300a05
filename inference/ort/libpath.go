package ort

import (
	"os"
	"path/filepath"
	"runtime"
)

// libraryName is the file name of the ONNX Runtime library, as its packages ship it.
const libraryName = "libonnxruntime.so.1"

// DefaultLibraryPath returns the ONNX Runtime library visiond loads when none is configured:
// the first that exists of
//
//  1. libonnxruntime.so.1 in the executable's folder,
//  2. ../lib/libonnxruntime.so.1 from that folder (the layout of a release tarball and of the
//     container image: bin/visiond beside lib/),
//  3. .deps/onnxruntime-1.30.0-linux-{x64|arm64}/libonnxruntime.so.1 relative to the working
//     directory, where `make setup` installs it (the repository root when run from a checkout).
//
// The executable's folder is taken after resolving symbolic links, so a link such as
// /usr/local/bin/visiond to a release's bin/visiond finds that release's library. When none
// exists it returns the last, so that the error names where `make setup` puts it.
func DefaultLibraryPath() string {
	exe, err := os.Executable()
	if err != nil {
		return setupLibraryPath()
	}
	return libraryFor(exe)
}

// libraryFor is DefaultLibraryPath for the executable at exe.
func libraryFor(exe string) string {
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	dir := filepath.Dir(exe)
	for _, p := range []string{
		filepath.Join(dir, libraryName),
		filepath.Join(dir, "..", "lib", libraryName),
	} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return filepath.Clean(p)
		}
	}
	return setupLibraryPath()
}

// setupLibraryPath is where `make setup` installs the library for this architecture.
func setupLibraryPath() string {
	arch := runtime.GOARCH
	if arch == "amd64" {
		arch = "x64"
	}
	return filepath.Join(".deps", "onnxruntime-1.30.0-linux-"+arch, libraryName)
}
