package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// engineFlags are the flags every command that runs models shares.
type engineFlags struct {
	modelsDir string
	ortLib    string
	mode      string
	threads   int
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.modelsDir, "dir", envOr("VISIOND_MODELS_DIR", catalog.DefaultDir), "models directory (env VISIOND_MODELS_DIR)")
	fs.StringVar(&e.ortLib, "ort-lib", "", "ONNX Runtime library (env VISIOND_ORT_LIB; default: the one `make setup` installs)")
	fs.StringVar(&e.mode, "convert", "float", "how quantised TFLite graphs run: float or qdq")
	fs.IntVar(&e.threads, "threads", 0, "threads per inference (0: one per core)")
}

// open starts the engine; the caller closes it.
func (e *engineFlags) open() (*ort.Engine, models.LoadOptions, error) {
	var mode convert.Mode
	switch e.mode {
	case "float":
		mode = convert.Float
	case "qdq":
		mode = convert.QDQ
	default:
		return nil, models.LoadOptions{}, fmt.Errorf("-convert must be float or qdq, not %q", e.mode)
	}
	eng, err := ort.New(ort.Config{LibraryPath: e.ortLib, IntraOpThreads: e.threads})
	if err != nil {
		return nil, models.LoadOptions{}, err
	}
	return eng, models.LoadOptions{Engine: eng, Store: catalog.Store{Dir: e.modelsDir}, Mode: mode, Threads: e.threads}, nil
}

// readImage reads an image file, refusing more bytes than the decoder's limit allows.
func readImage(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return preprocess.ReadLimited(f, preprocess.DefaultLimits)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
