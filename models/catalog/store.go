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

// State is how a model lies in a store.
type State string

// The states of a model in a store, as `visiond models list` shows them.
const (
	// Installed: every file is present and passes its checksum.
	Installed State = "yes"
	// Missing: a file is absent, and none present is damaged.
	Missing State = "no"
	// Corrupt: a file is present but its size or SHA-256 is not the pinned one.
	Corrupt State = "corrupt"
)

// State reads every file of m and says whether it is installed, missing or corrupt. Any
// other error (a file that cannot be read) is returned.
func (s Store) State(m Model) (State, error) {
	state := Installed
	for _, f := range m.Files() {
		err := s.Verify(f)
		switch {
		case errors.Is(err, ErrChecksum):
			return Corrupt, nil
		case errors.Is(err, ErrNotInstalled):
			state = Missing
		case err != nil:
			return "", err
		}
	}
	return state, nil
}

// Check verifies every file of m before it is loaded: present, and with the pinned SHA-256
// where the model pins one. Its errors wrap ErrNotInstalled or ErrChecksum, name the file and
// the command that repairs it.
func (s Store) Check(m Model) error {
	for _, f := range m.Files() {
		err := s.Verify(f)
		switch {
		case errors.Is(err, ErrNotInstalled):
			return fmt.Errorf("%w (%s)", err, m.repair(false))
		case errors.Is(err, ErrChecksum):
			return fmt.Errorf("%w (%s)", err, m.repair(true))
		case err != nil:
			return err
		}
	}
	return nil
}

// present reports whether f is a regular file of the right size (any size when f pins none).
func (s Store) present(f File) (bool, error) {
	info, err := os.Stat(s.Path(f))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return info.Mode().IsRegular() && (f.Size == 0 || info.Size() == f.Size), nil
}

// Verify checks the installed copy of f against its size and SHA-256, where f pins them. A
// missing file is an error wrapping ErrNotInstalled, a different size or checksum one wrapping
// ErrChecksum.
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
	n, err := io.Copy(h, file)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.Path(f), err)
	}
	if f.Size != 0 && n != f.Size {
		return fmt.Errorf("%s: %w: %d bytes, want %d", s.Path(f), ErrChecksum, n, f.Size)
	}
	if f.SHA256 == "" {
		return nil
	}
	if err := checkSum(f, h.Sum(nil)); err != nil {
		return fmt.Errorf("%s: %w", s.Path(f), err)
	}
	return nil
}

// writeAtomic writes a file of the store under name: fill writes its bytes into a temporary
// file beside its place; check, when not nil, sees their count and SHA-256 and may refuse
// them; the file is then made world-readable, synced and renamed into place. On failure
// nothing is left behind, and a reader never sees a partial file under name.
func (s Store) writeAtomic(name string, fill func(io.Writer) error, check func(n int64, sum []byte) error) error {
	dir := s.Root()
	tmp, err := os.CreateTemp(dir, "."+name+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h, n := sha256.New(), new(byteCount)
	err = fill(io.MultiWriter(tmp, h, n))
	if err == nil && check != nil {
		err = check(int64(*n), h.Sum(nil))
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err == nil {
		err = syncDir(dir)
	}
	return err
}

// byteCount counts the bytes written to it.
type byteCount int64

func (c *byteCount) Write(p []byte) (int, error) {
	*c += byteCount(len(p))
	return len(p), nil
}

// checkSum compares a computed SHA-256 with the one f pins.
func checkSum(f File, sum []byte) error {
	if got := hex.EncodeToString(sum); got != f.SHA256 {
		return fmt.Errorf("%w: got sha256 %s, want %s", ErrChecksum, got, f.SHA256)
	}
	return nil
}
