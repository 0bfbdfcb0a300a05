// Package testmodels gives tests real catalog models on a real engine: one ONNX Runtime
// engine per test process, and one models folder per process linking the shared model files,
// so that each graph is converted once per run. It imports nothing above models/catalog and
// inference/ort, so the tests of package models can use it as well as those above.
//
// A package that uses Dir ends its TestMain with Run, which removes the folder.
package testmodels

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/models/catalog"
)

var (
	mu     sync.Mutex
	engine *ort.Engine
	dir    string
)

// Run runs the tests of m and removes the process's models folder.
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
	}
	return code
}

// Engine returns the process's ONNX Runtime engine, started on the first call with one
// thread per inference (as the daemon runs). It skips, or fails under
// VISIOND_REQUIRE_TESTDATA=1, when the runtime is missing.
func Engine(t testing.TB) *ort.Engine {
	t.Helper()
	lib := testenv.ORTLibrary(t)
	mu.Lock()
	defer mu.Unlock()
	if engine == nil {
		e, err := ort.New(ort.Config{LibraryPath: lib, IntraOpThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		engine = e
	}
	return engine
}

// Files returns the names of the files of the named catalog models, sorted, each once.
func Files(t testing.TB, names ...string) []string {
	t.Helper()
	var files []string
	for _, name := range names {
		m, err := catalog.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files() {
			files = append(files, f.Name)
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// Store returns the process's models folder holding (links to) the files of the named catalog
// models, taken from the shared models folder.
func Store(t testing.TB, names ...string) catalog.Store {
	t.Helper()
	var files []string
	for _, name := range Files(t, names...) {
		files = append(files, testenv.Model(t, name))
	}
	mu.Lock()
	defer mu.Unlock()
	if dir == "" {
		d, err := os.MkdirTemp("", "visiond-test-models-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	for _, f := range files {
		if err := os.Symlink(f, filepath.Join(dir, filepath.Base(f))); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return catalog.Store{Dir: dir}
}

// OwnStore returns a new models folder holding files, by name: own models' cards (NAME.yaml)
// and the files they name. It is removed when the test ends.
func OwnStore(t testing.TB, files map[string][]byte) catalog.Store {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return catalog.Store{Dir: dir}
}

// Kitchen returns a new models folder holding the catalog model mobilenet, an own model
// "kitchen" (the shared MobileNet v1 0.25 file, copied as kitchen.tflite, with five labels of
// its own mapped from ImageNet ids: burger, mug, rocket plane, parrot, hound) and the files
// in more. It is removed when the test ends.
func Kitchen(t testing.TB, more map[string][]byte) catalog.Store {
	t.Helper()
	graph, err := os.ReadFile(testenv.Model(t, "mobilenet_v1_0.25_224_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"kitchen.yaml":   []byte("name: kitchen\ntask: classify\nfile: kitchen.tflite\nlabels: {file: kitchen.txt, format: id_label}\n"),
		"kitchen.tflite": graph,
		// Line numbers of the 1001 ImageNet labels, from 0.
		"kitchen.txt": []byte("934 burger\n505 mug\n813 rocket plane\n89 parrot\n163 hound\n"),
	}
	for name, data := range more {
		files[name] = data
	}
	store := OwnStore(t, files)
	for _, name := range []string{"mobilenet_v2_1.0_224_quant.tflite", "imagenet_labels_1001.txt"} {
		if err := os.Symlink(testenv.Model(t, name), filepath.Join(store.Dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return store
}
