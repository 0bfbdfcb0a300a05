package catalog

import (
	"io/fs"
	"testing"
)

// FuzzParseCard feeds arbitrary bytes to the card parser: it may reject them, never panic,
// and a card it accepts names a model of a known task with a plain file name.
func FuzzParseCard(f *testing.F) {
	cards, _ := fs.Glob(builtin, "cards/*.yaml")
	for _, p := range cards {
		data, _ := builtin.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte(goodCard))
	f.Add([]byte("name: x\ntask: classify\nfile: x.onnx\nlabels: {format: id_label, offset: -3}\ninput: {mean: 1, std: 2}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseCard(data)
		if err != nil {
			return
		}
		if !nameRE.MatchString(m.Name) || len(m.Graphs) == 0 {
			t.Fatalf("accepted %q as %+v", data, m)
		}
		for _, f := range m.Files() {
			if checkFile(f, ".tflite", ".onnx", ".txt", ".pbtxt", ".labels", ".csv") != nil {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}
