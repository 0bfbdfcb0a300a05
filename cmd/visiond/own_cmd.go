package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// ownUsage documents the subcommands for own models.
const ownUsage = `  visiond models add NAME FILE [--task detect|classify] [--labels FILE] [--card CARD]
  visiond models remove [--dir DIR] NAME
  visiond models inspect FILE

add installs a .tflite or .onnx model of your own as NAME: it copies FILE (and the
labels file) into the models directory, pins their SHA-256 in a card NAME.yaml, and
loads the model once to check that it fits the card; a model that does not is not
installed. --card starts from a card (such as the draft inspect prints; its file
names are replaced); add also takes --dir, --ort-lib, --convert and --threads.
remove deletes an own model: its card, the files it names and their conversions.
inspect prints what a model file holds (inputs, outputs, quantisation, operators,
files packed in it, whether visiond converts it) and a card draft.
`

// modelsAdd runs `visiond models add`.
func modelsAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("models add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, modelsUsage) }
	task := fs.String("task", "", "what the model does: detect or classify (default: the card's, else classify)")
	labels := fs.String("labels", "", "the labels `FILE`: lines, \"ID LABEL\" lines or a .pbtxt label map")
	cardFile := fs.String("card", "", "a `CARD` to start from (YAML); its file names are replaced")
	cfg, _, err := config.Load(fs, flagsFirst(args), os.LookupEnv, "dir", "ort-lib", "convert", "threads")
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("models add: want NAME FILE, got %d arguments", fs.NArg())
	}
	name, file := fs.Arg(0), fs.Arg(1)
	card, err := startingCard(*cardFile, name, *task, *labels)
	if err != nil {
		return fmt.Errorf("models add: %w", err)
	}
	store := catalog.Store{Dir: cfg.Models.Dir}
	m, err := store.Add(card, file, *labels)
	if err != nil {
		return fmt.Errorf("models add: %w", err)
	}
	if err := tryLoad(cfg, store, name); err != nil {
		if rmErr := removeOwn(store, name); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
		return fmt.Errorf("models add: %s does not fit its card, not installed: %w", name, err)
	}
	fmt.Fprintf(stdout, "%s: installed in %s as a %s model (card %s%s)\n", name, store.Root(), m.Task, name, catalog.CardExt)
	return nil
}

// flagsFirst moves flags before the positional arguments, so that `models add NAME FILE
// --labels F` parses as the usage writes it. Every flag of add takes a value (--flag VALUE
// or --flag=VALUE); everything after "--" is positional.
func flagsFirst(args []string) []string {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if !strings.Contains(a, "=") && a != "-h" && a != "--help" && i+1 < len(args) {
				flags, i = append(flags, args[i+1]), i+1
			}
		default:
			positional = append(positional, a)
		}
	}
	return append(append(flags, "--"), positional...)
}

// startingCard is the card add completes: the one given, or one made of the flags.
func startingCard(path, name, task, labels string) (catalog.Card, error) {
	var c catalog.Card
	if path != "" {
		var err error
		if c, err = catalog.ReadCard(path); err != nil {
			return c, err
		}
	}
	c.Name = name
	if task != "" {
		c.Task = catalog.Task(task)
	}
	if c.Task == "" {
		c.Task = catalog.TaskClassify
	}
	if labels == "" && c.Labels != nil && c.Labels.File.Name != "" {
		return c, fmt.Errorf("the card names a labels file (%s): give it with --labels", c.Labels.File.Name)
	}
	return c, nil
}

// tryLoad loads an installed own model once, as the daemon would, and returns why it
// cannot serve.
func tryLoad(cfg config.Config, store catalog.Store, name string) error {
	eng, load, err := models.OpenEngine(cfg.Engine, store)
	if err != nil {
		return err
	}
	defer eng.Close()
	p, err := pipeline.Open(pipeline.Defaults(), []string{name}, load, nil)
	if err != nil {
		return err
	}
	defer p.Close(context.Background())
	for _, info := range p.AllModels() {
		if info.Status == pipeline.StatusError {
			return errors.New(info.Error)
		}
	}
	return nil
}

// modelsRemove runs `visiond models remove NAME`.
func modelsRemove(args []string, stdout, stderr io.Writer) error {
	fs, dir := modelsFlags("remove", stderr)
	names, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return fmt.Errorf("models remove: want one NAME, got %d", len(names))
	}
	store := catalog.Store{Dir: *dir}
	if err := removeOwn(store, names[0]); err != nil {
		return fmt.Errorf("models remove: %w", err)
	}
	fmt.Fprintf(stdout, "%s: removed from %s\n", names[0], store.Root())
	return nil
}

// removeOwn removes an own model from the store, with the conversion caches of its files.
func removeOwn(store catalog.Store, name string) error {
	var caches []string
	if m, err := store.Lookup(name); err == nil && m.Own {
		for _, f := range m.Files() {
			found, err := convert.CacheFiles(store.Path(f))
			if err != nil {
				return err
			}
			caches = append(caches, found...)
		}
	}
	if err := store.Remove(name); err != nil {
		return err
	}
	for _, c := range caches {
		if err := os.Remove(c); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
