package convert

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// TestLoadFileCache: the first load converts and writes the cache under a key of checksum,
// mode and converter version; the second reads it; a changed model file is converted again.
func TestLoadFileCache(t *testing.T) {
	data, err := os.ReadFile(testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.tflite")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
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
