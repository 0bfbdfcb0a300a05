package convert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/tflite"
)

// MaxModelBytes bounds the size of a model file visiond reads.
const MaxModelBytes = 512 << 20

// Version is part of the conversion cache's key. It goes up whenever Convert's output for a
// model changes (a new operator rule, a layout change), so caches of older conversions are not
// reused.
const Version = 2

// Loaded is a model file ready for an Engine: ONNX bytes and the custom operators left out.
type Loaded struct {
	ONNX   []byte
	Custom []CustomOp
	// Mean and Std are the input normalisation a TFLite file's metadata gives (per channel,
	// or one value for all), or nil.
	Mean, Std []float32
	// Cached is true when the ONNX bytes came from the conversion cache.
	Cached bool
}

// LoadFile reads a .tflite or .onnx model. A .tflite file is converted with mode, and the
// result is cached beside it as NAME.<sha256 prefix>.<mode>.v<Version>.onnx, so a restart
// does not convert again; an unwritable folder only disables the cache. A cache file carries
// the SHA-256 of its ONNX bytes (see sealCache): one that fails it (truncated, damaged) is
// converted again and replaced. An .onnx file loads as is.
func LoadFile(path string, mode Mode) (*Loaded, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".onnx") {
		return &Loaded{ONNX: data}, nil
	}
	m, err := tflite.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	custom, err := CustomOps(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	mean, std, _ := m.InputNormalization()
	sum := sha256.Sum256(data)
	cache := fmt.Sprintf("%s.%s.%s.v%d.onnx", path, hex.EncodeToString(sum[:8]), mode, Version)
	// (CacheFiles matches this name.)
	if b, ok := readCache(cache); ok {
		return &Loaded{ONNX: b, Custom: custom, Mean: mean, Std: std, Cached: true}, nil
	}
	b, err := Convert(m, mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	writeAtomic(cache, sealCache(b))
	return &Loaded{ONNX: b, Custom: custom, Mean: mean, Std: std}, nil
}

// CacheFiles returns the conversion caches of the model file at path, of every checksum,
// mode and converter version.
func CacheFiles(path string) ([]string, error) {
	return filepath.Glob(escapeGlob(path) + ".*.*.v*.onnx")
}

// escapeGlob quotes the characters filepath.Match treats as special.
func escapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s)
}

// cacheMagic ends every cache file, after the SHA-256 of the ONNX bytes before it.
const cacheMagic = "visiond-onnx-sha256\n"

// sealCache returns what a cache file holds: the ONNX bytes, their SHA-256 and cacheMagic.
func sealCache(onnx []byte) []byte {
	sum := sha256.Sum256(onnx)
	out := make([]byte, 0, len(onnx)+len(sum)+len(cacheMagic))
	return append(append(append(out, onnx...), sum[:]...), cacheMagic...)
}

// readCache returns the ONNX bytes of a cache file, and false when it is missing, empty,
// truncated or damaged: anything but what sealCache wrote.
func readCache(path string) ([]byte, bool) {
	b, err := readBounded(path)
	n := len(b) - sha256.Size - len(cacheMagic)
	if err != nil || n <= 0 || string(b[n+sha256.Size:]) != cacheMagic {
		return nil, false
	}
	onnx := b[:n]
	if sum := sha256.Sum256(onnx); string(sum[:]) != string(b[n:n+sha256.Size]) {
		return nil, false
	}
	return onnx, true
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", inference.ErrBadModel, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", inference.ErrBadModel, err)
	}
	if st.Size() > MaxModelBytes || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file of at most %d MiB", inference.ErrBadModel, path, MaxModelBytes>>20)
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, fmt.Errorf("%w: reading %s: %v", inference.ErrBadModel, path, err)
	}
	return data, nil
}

// writeAtomic writes b to path through a temporary file, or leaves nothing on failure.
func writeAtomic(path string, b []byte) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".convert-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}
