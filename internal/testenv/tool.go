package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Tool returns the path of the program name, installed by the Debian package pkg, found on
// the PATH or in /usr/sbin (off a user's PATH, where Debian puts daemons such as mosquitto).
// Missing, it skips the test with how to install it (fails under VISIOND_REQUIRE_TESTDATA=1,
// as in CI).
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	for _, p := range []string{name, filepath.Join("/usr/sbin", name)} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := name + " is not installed (Debian: apt-get install " + pkg + ")"
	if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
