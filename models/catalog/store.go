package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultDir is the models directory used when none is configured, relative to the working
// directory.
const DefaultDir = "var/models"

// Store is the directory holding installed model files, each under its File.Name.
type Store struct {
	// Dir is the models directory; empty means DefaultDir.
	Dir string
}

// Root returns the models directory.
func (s Store) Root() string {
	if s.Dir == "" {
		return DefaultDir
	}
	return s.Dir
}

// Path returns where f lies in the store.
func (s Store) Path(f File) string {
	return filepath.Join(s.Root(), f.Name)
}

// Installed reports whether every file of m is present with the right size. It does not read
// the files; Verify (done by Pull) checks their contents.
func (s Store) Installed(m Model) (bool, error) {
	for _, f := range m.Files() {
		ok, err := s.present(f)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// present reports whether f is a regular file of the right size.
func (s Store) present(f File) (bool, error) {
	info, err := os.Stat(s.Path(f))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return info.Mode().IsRegular() && info.Size() == f.Size, nil
}

// Verify checks the installed copy of f against its SHA-256. A missing file is an error
// wrapping ErrNotInstalled, a different checksum one wrapping ErrChecksum.
func (s Store) Verify(f File) error {
	file, err := os.Open(s.Path(f))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotInstalled, f.Name)
	}
	if err != nil {
		return err
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return fmt.Errorf("read %s: %w", s.Path(f), err)
	}
	if err := checkSum(f, h.Sum(nil)); err != nil {
		return fmt.Errorf("%s: %w", s.Path(f), err)
	}
	return nil
}

// checkSum compares a computed SHA-256 with the one f pins.
func checkSum(f File, sum []byte) error {
	if got := hex.EncodeToString(sum); got != f.SHA256 {
		return fmt.Errorf("%w: got sha256 %s, want %s", ErrChecksum, got, f.SHA256)
	}
	return nil
}
