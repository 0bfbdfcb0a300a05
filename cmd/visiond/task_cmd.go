package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

// taskSettings are the settings of serve that the task commands take too: where models are,
// how they run, and the image limits, with serve's variables and defaults.
var taskSettings = []string{"dir", "ort-lib", "convert", "threads", "max-image-bytes", "max-pixels"}

// imageReport is what a task command prints for one image: the pipeline's result, as HTTP
// answers it, beside the image's path.
type imageReport struct {
	Image string `json:"image"`
	*pipeline.Result
}

// taskCommand runs `visiond <task> [flags] IMAGE...`: every image through the same pipeline
// as the daemon, one JSON line each, and with --annotated the drawn image.
func taskCommand(ctx context.Context, task pipeline.Task, args []string, stdout, stderr io.Writer) error {
	name := string(task.Name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: visiond %s [flags] IMAGE...\n\n%s. Flags (the shared ones take serve's VISIOND_* variables and visiond.yaml):\n\n", name, capitalize(task.Summary))
		fs.PrintDefaults()
	}
	model := fs.String("model", "", "the "+name+" `MODEL` (default: the first "+name+" model of models.load, else of the catalog)")
	var opts pipeline.Options
	for _, o := range task.Options {
		set := func(v string) error { _, err := opts.Set(o.Name, v); return err }
		flagName := strings.ReplaceAll(o.Name, "_", "-")
		if o.Name == "multi" {
			fs.BoolFunc(flagName, o.Usage, set)
		} else {
			fs.Func(flagName, o.Usage, set)
		}
	}
	var out string
	quality := annotate.DefaultJPEGQuality
	if task.Draws != "" {
		fs.StringVar(&out, "annotated", "", "write the image with "+task.Draws+" drawn: a `FILE` for one image, a folder for several (.png for PNG, else JPEG)")
		fs.IntVar(&quality, "quality", quality, "JPEG quality of annotated images (1..100)")
	}
	cfg, _, err := config.Load(fs, args, os.LookupEnv, taskSettings...)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%s: no images given (usage: visiond %s [flags] IMAGE...)", name, name)
	}
	if *model == "" {
		*model = defaultModel(cfg, task.Name)
	}
	eng, load, err := models.OpenEngine(cfg.Engine, catalog.Store{Dir: cfg.Models.Dir})
	if err != nil {
		return err
	}
	defer eng.Close()
	pcfg := cfg.Pipeline
	pcfg.Workers, pcfg.Queue = 1, 0
	p, err := pipeline.Open(pcfg, []string{*model}, load, nil)
	if err != nil {
		return err
	}
	defer p.Close(context.Background())

	enc := json.NewEncoder(stdout)
	paths := fs.Args()
	failed := 0
	for _, path := range paths {
		req := pipeline.Request{Task: task.Name, Model: *model, Options: opts, Annotate: out != "", Quality: quality}
		dst := annotatedPath(out, path, len(paths) > 1)
		if strings.EqualFold(filepath.Ext(dst), ".png") {
			req.Format = annotate.PNG
		}
		err := runImage(ctx, p, req, path, dst, pcfg.Limits(), enc)
		if err != nil && len(paths) == 1 {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "visiond: %s\n", describe(fmt.Errorf("%s: %w", path, err)))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, len(paths))
	}
	return nil
}

// runImage runs req on the image at path, prints its report, and writes the annotated image
// to dst when one was asked for.
func runImage(ctx context.Context, p *pipeline.Pipeline, req pipeline.Request, path, dst string, lim preprocess.Limits, enc *json.Encoder) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	req.Image, err = preprocess.ReadLimited(f, lim)
	f.Close()
	if err != nil {
		return err
	}
	res, err := p.Run(ctx, req)
	if err != nil {
		return err
	}
	if req.Annotate {
		if err := writeFile(dst, res.Annotated); err != nil {
			return err
		}
	}
	return enc.Encode(imageReport{Image: path, Result: res})
}

// defaultModel is the model a task command runs when none is named: the first of the task's
// in models.load, else the first of the catalog.
func defaultModel(cfg config.Config, task catalog.Task) string {
	for _, name := range cfg.Models.Load {
		if m, err := catalog.Lookup(name); err == nil && m.Task == task {
			return name
		}
	}
	for _, m := range catalog.Catalog() {
		if m.Task == task {
			return m.Name
		}
	}
	return ""
}

// annotatedPath is where the annotated copy of src goes: out itself for a single image, or
// out/<name>.annotated.jpg when several images share the folder out.
func annotatedPath(out, src string, several bool) string {
	if !several || out == "" {
		return out
	}
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	return filepath.Join(out, base+".annotated.jpg")
}

// writeFile writes data to path, making its folder; a failed write leaves no file.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// describe is the one line the CLI prints for err: its code (pipeline.Code) first, when it has
// one of the vocabulary.
func describe(err error) string {
	if code := pipeline.Code(err); code != pipeline.Internal && !errors.Is(err, flag.ErrHelp) {
		return code + ": " + err.Error()
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
