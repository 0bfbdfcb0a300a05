package ort

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLibraryFor(t *testing.T) {
	touch := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := t.TempDir()

	// A release: bin/visiond and lib/libonnxruntime.so.1, reached through a link elsewhere.
	release := filepath.Join(root, "opt", "visiond")
	exe := touch(filepath.Join(release, "bin", "visiond"))
	lib := touch(filepath.Join(release, "lib", libraryName))
	link := filepath.Join(root, "usr", "local", "bin", "visiond")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	// The library in the executable's own folder wins over ../lib.
	flat := filepath.Join(root, "flat")
	flatExe := touch(filepath.Join(flat, "visiond"))
	flatLib := touch(filepath.Join(flat, libraryName))
	touch(filepath.Join(root, "lib", libraryName))
	// A folder named like the library is no library.
	dirExe := touch(filepath.Join(root, "dir", "bin", "visiond"))
	if err := os.MkdirAll(filepath.Join(root, "dir", "lib", libraryName), 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ name, exe, want string }{
		{"release layout", exe, lib},
		{"through a symbolic link", link, lib},
		{"same folder first", flatExe, flatLib},
		{"a folder is skipped", dirExe, setupLibraryPath()},
		{"nothing beside it", filepath.Join(root, "none", "bin", "visiond"), setupLibraryPath()},
	} {
		if got := libraryFor(tc.exe); got != tc.want {
			t.Errorf("%s: libraryFor(%s) = %s, want %s", tc.name, tc.exe, got, tc.want)
		}
	}
}
