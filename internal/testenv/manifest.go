package testenv

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Manifest is the list of shared files the tests may read, with their SHA-256, relative to the
// repository root.
const Manifest = "testdata/shared.sha256"

var (
	manifestOnce sync.Once
	manifest     map[string]string // "images/burger.jpg" → hex SHA-256
	manifestErr  error
	checked      sync.Map // path → error (nil when it matched)
)

// checkShared checks the shared file rel, found at path, against the manifest, reading each
// file once per test process.
func checkShared(root, rel, path string) error {
	manifestOnce.Do(func() { manifest, manifestErr = readManifest(filepath.Join(root, Manifest)) })
	if manifestErr != nil {
		return manifestErr
	}
	want, ok := manifest[rel]
	if !ok {
		return fmt.Errorf("testenv: %s is not listed in %s; add its SHA-256 there", rel, Manifest)
	}
	if err, done := checked.Load(path); done {
		return asError(err)
	}
	err := checkSum(path, want)
	checked.Store(path, err)
	return err
}

func asError(v any) error {
	if v == nil {
		return nil
	}
	return v.(error)
}

func checkSum(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("testenv: %s has SHA-256 %s, but %s lists %s: the shared folder holds another file", path, got, Manifest, want)
	}
	return nil
}

// readManifest reads "HEX  PATH" lines; # starts a comment.
func readManifest(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("%s:%d: want \"SHA256  PATH\", got %q", path, n, line)
		}
		out[name] = sum
	}
	return out, sc.Err()
}
