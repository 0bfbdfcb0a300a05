package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Tool returns the path of the program name, installed by the Debian package pkg. Missing,
// it skips the test with how to install it (fails under VISIOND_REQUIRE_TESTDATA=1, as in CI).
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " is not installed (Debian: apt-get install " + pkg + ")"
	if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
