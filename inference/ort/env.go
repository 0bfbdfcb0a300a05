package ort

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/visiond/visiond/inference"
)

// The ONNX Runtime environment of onnxruntime_go is global to the process, so every engine
// and every session holds a reference on one shared environment. The library is loaded by
// the first reference and unloaded when the last one is released.
var env struct {
	mu   sync.Mutex
	refs int
	path string // library the environment was loaded from
}

// acquire takes a reference on the environment, loading the library at path if it is not
// loaded yet.
func acquire(path string) error {
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.refs > 0 {
		if !sameFile(env.path, path) {
			return fmt.Errorf("%w: ONNX Runtime is already loaded from %q; cannot also load %q in the same process",
				inference.ErrRuntime, env.path, path)
		}
		env.refs++
		return nil
	}
	if err := loadLibrary(path); err != nil {
		return err
	}
	env.refs, env.path = 1, path
	return nil
}

// telemetryEnv turns ONNX Runtime's telemetry off when it is 1.
const telemetryEnv = "ORT_DISABLE_TELEMETRY"

// loadLibrary loads the library and creates the environment. ONNX Runtime logs only errors
// and sends no telemetry.
func loadLibrary(path string) error {
	shown := path
	if strings.ContainsRune(path, '/') { // a file path rather than a name for dlopen to search
		if abs, err := filepath.Abs(path); err == nil {
			shown = abs // a relative path depends on the working directory: show where it looked
		}
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: ONNX Runtime library %s not found: run `make setup` to install it, or set %s",
				inference.ErrRuntime, shown, LibraryEnv)
		}
	}
	// The library reports usage to its vendor (DNS lookups, files under $HOME) unless this
	// variable is set before it starts; an explicit setting by the user is kept.
	if _, set := os.LookupEnv(telemetryEnv); !set {
		os.Setenv(telemetryEnv, "1")
	}
	ortgo.SetSharedLibraryPath(path)
	if err := ortgo.InitializeEnvironment(ortgo.WithLogLevelError()); err != nil {
		return fmt.Errorf("%w: cannot load ONNX Runtime library %s (run `make setup` to reinstall it, or set %s): %w",
			inference.ErrRuntime, shown, LibraryEnv, err)
	}
	return nil
}

// retain takes one more reference on an environment that the caller already holds.
func retain() {
	env.mu.Lock()
	env.refs++
	env.mu.Unlock()
}

// release drops a reference, unloading the library with the last one.
func release() error {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.refs--
	if env.refs > 0 {
		return nil
	}
	if err := ortgo.DestroyEnvironment(); err != nil {
		return fmt.Errorf("%w: unloading ONNX Runtime: %w", inference.ErrRuntime, err)
	}
	return nil
}

// sameFile reports whether two library paths name the same file.
func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
