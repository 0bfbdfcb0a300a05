package tflite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// FuzzParse feeds arbitrary bytes to the reader: it may reject them, never panic. The
// corpus is seeded with the real models, cut and uncut.
func FuzzParse(f *testing.F) {
	dir := filepath.Join(testenv.SharedDir(f), "models")
	for _, tc := range realModels {
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			continue
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("\x10\x00\x00\x00TFL3\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		m.InputNormalization()
		for gi := range m.Subgraphs {
			g := &m.Subgraphs[gi]
			for i := range g.Tensors {
				m.Data(&g.Tensors[i])
			}
			for _, op := range g.Operators {
				op.Options.Conv2D()
				op.Options.DepthwiseConv2D()
				op.Options.Pool2D()
				op.Options.Concatenation()
				op.Options.Reshape()
				op.Options.Softmax()
				op.Options.FusedActivation()
				op.Options.ResizeBilinear()
				op.Options.Reducer()
				op.Options.ArgMax()
				op.Options.Pack()
				op.Options.Unpack()
			}
		}
	})
}
