package catalog

import (
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// BenchmarkCheck is what the check before every load costs: reading the default models'
// files (coco-ssd, mobilenet, posenet: 9.2 MB) and hashing them with SHA-256.
func BenchmarkCheck(b *testing.B) {
	var files []string
	var defaults []Model
	for _, name := range []string{"coco-ssd", "mobilenet", "posenet"} {
		m, err := Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		defaults = append(defaults, m)
		for _, f := range m.Files() {
			files = append(files, f.Name)
		}
	}
	store := Store{Dir: testenv.ModelDir(b, files...)}
	var bytes int64
	for _, m := range defaults {
		for _, f := range m.Files() {
			bytes += f.Size
		}
	}
	b.SetBytes(bytes)
	for b.Loop() {
		for _, m := range defaults {
			if err := store.Check(m); err != nil {
				b.Fatal(err)
			}
		}
	}
}
