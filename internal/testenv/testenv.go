// Package testenv finds the real models and photos that tests use. They live outside the
// repository, in the folder named by VISIOND_TESTDATA (default: "shared" beside the checkout).
// When they are missing a test is skipped with a how-to message, except when
// VISIOND_REQUIRE_TESTDATA=1 (set by CI), where it fails. It also holds the small fixtures that
// tests of several packages share.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the folder holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// SharedDir returns the folder with models/ and images/.
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("VISIOND_TESTDATA"); d != "" {
		return d
	}
	return filepath.Join(Root(t), "..", "shared")
}

// Model returns the path of a file in the shared models folder.
func Model(t testing.TB, name string) string {
	t.Helper()
	return needShared(t, "models/"+name)
}

// Image returns the path of a file in the shared images folder.
func Image(t testing.TB, name string) string {
	t.Helper()
	return needShared(t, "images/"+name)
}

func need(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := "test data missing: " + path + " (set VISIOND_TESTDATA to the folder holding models/ and images/)"
		if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// needShared is need for a file of the shared folder, which must also be the file that
// testdata/shared.sha256 names: a wrong or changed file fails the test with its name.
func needShared(t testing.TB, rel string) string {
	t.Helper()
	path := need(t, filepath.Join(SharedDir(t), rel))
	if err := checkShared(Root(t), rel, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// ModelDir returns a temporary models folder holding links to the named files of the shared
// models folder, for tests that load models through a store. Names may repeat.
func ModelDir(t testing.TB, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range files {
		if err := os.Symlink(Model(t, name), filepath.Join(dir, name)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return dir
}

// ReadImage returns the bytes of a file in the shared images folder.
func ReadImage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(Image(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
