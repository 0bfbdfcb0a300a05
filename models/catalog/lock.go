package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// strayPatterns match the temporary files a pull writes (install's .part files and
// downloaded zips). With the store locked, any such file was left by a pull that died.
var strayPatterns = []string{".*.part", ".download-*.zip"}

// lock takes the store's pull lock, waiting for another pull to finish, and returns its
// release. The lock is the kernel's (flock on the directory itself), so it leaves no file,
// and a killed pull never leaves it held.
func (s Store) lock() (unlock func(), err error) {
	f, err := os.Open(s.Root())
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// removeStray deletes the temporary files of pulls that died. The caller holds the lock.
func (s Store) removeStray() error {
	for _, pattern := range strayPatterns {
		names, err := filepath.Glob(filepath.Join(s.Root(), pattern))
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
