package convert

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// tempModel copies the shared MobileNet v1 0.25 into a temporary folder, for tests that
// write caches beside it, and returns its path and bytes.
func tempModel(t *testing.T) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile(testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.tflite")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestLoadFileCache: the first load converts and writes the cache under a key of checksum,
// mode and converter version; the second reads it; a changed model file is converted again.
func TestLoadFileCache(t *testing.T) {
	path, data := tempModel(t)
	first, err := LoadFile(path, Float)
	if err != nil || first.Cached {
		t.Fatalf("first load: cached %v, %v", first != nil && first.Cached, err)
	}
	caches, _ := filepath.Glob(path + ".*.onnx")
	want := fmt.Sprintf(".float.v%d.onnx", Version)
	if len(caches) != 1 || !strings.HasSuffix(caches[0], want) {
		t.Fatalf("cache files %v, want one ending in %s", caches, want)
	}
	second, err := LoadFile(path, Float)
	if err != nil || !second.Cached || string(second.ONNX) != string(first.ONNX) {
		t.Fatalf("second load: cached %v, same bytes %v, %v", second.Cached, string(second.ONNX) == string(first.ONNX), err)
	}
	qdq, err := LoadFile(path, QDQ)
	if err != nil || qdq.Cached {
		t.Fatalf("other mode: cached %v, %v", qdq != nil && qdq.Cached, err)
	}
	// Same name, other contents (a flipped weight byte near the end): not the old cache.
	data[len(data)-100] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := LoadFile(path, Float); err != nil || changed.Cached {
		t.Fatalf("changed model: cached %v, %v", changed != nil && changed.Cached, err)
	}
}

// TestLoadFileRebuildsDamagedCache: a cache file that fails its own checksum (cut short,
// a byte changed, emptied, or its checksum cut off) is converted again and replaced, and the
// result is the same ONNX the first conversion gave.
func TestLoadFileRebuildsDamagedCache(t *testing.T) {
	path, _ := tempModel(t)
	first, err := LoadFile(path, Float)
	if err != nil {
		t.Fatal(err)
	}
	caches, _ := filepath.Glob(path + ".*.onnx")
	if len(caches) != 1 {
		t.Fatalf("cache files %v, want one", caches)
	}
	sealed, err := os.ReadFile(caches[0])
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)/2] ^= 0x40
	for name, damaged := range map[string][]byte{
		"truncated":      sealed[:len(sealed)-64<<10],
		"flipped byte":   flipped,
		"empty":          nil,
		"no checksum":    first.ONNX,
		"checksum alone": sealed[len(first.ONNX):],
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(caches[0], damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadFile(path, Float)
			if err != nil || got.Cached || string(got.ONNX) != string(first.ONNX) {
				t.Fatalf("load over a damaged cache: cached %v, same ONNX %v, %v", got != nil && got.Cached, got != nil && string(got.ONNX) == string(first.ONNX), err)
			}
			again, err := LoadFile(path, Float)
			if err != nil || !again.Cached {
				t.Fatalf("the rebuilt cache is not used: cached %v, %v", again != nil && again.Cached, err)
			}
		})
	}
}
