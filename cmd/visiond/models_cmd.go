package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/visiond/visiond/models/catalog"
)

// defaultPull is what `visiond models pull` installs when given no names.
const defaultPull = "coco-ssd mobilenet posenet"

const modelsUsage = `Usage:
  visiond models list [--dir DIR]
  visiond models pull [--dir DIR] [--mirror DIR|URL] [--force] [NAME... | all]
` + ownUsage + `
list shows every model visiond knows, the catalog's and your own, whether it is
installed (yes, no, corrupt: a file whose SHA-256 is not the pinned one, or
invalid: an own model's card that cannot be used, with the reason), and its size.
pull downloads, verifies (SHA-256) and installs models. Without names it pulls
the default set (` + defaultPull + `); "all" pulls every model.
Files already installed intact are not fetched again, unless --force.

Flags:
  --dir DIR         models directory (env VISIOND_MODELS_DIR, default ` + catalog.DefaultDir + `)
  --mirror DIR|URL  fetch every file from this folder or http(s) URL, which holds
                    the files flat under their names, instead of upstream
                    (env VISIOND_MODELS_MIRROR)
  --force           fetch every file again, even one installed intact
`

// modelsCommand runs `visiond models list|pull`.
func modelsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, modelsUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return modelsList(args[1:], stdout, stderr)
	case "pull":
		return modelsPull(ctx, args[1:], stdout, stderr)
	case "add":
		return modelsAdd(ctx, args[1:], stdout, stderr)
	case "remove":
		return modelsRemove(args[1:], stdout, stderr)
	case "inspect":
		return modelsInspect(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, modelsUsage)
		return nil
	}
	fmt.Fprint(stderr, modelsUsage)
	return fmt.Errorf("models: unknown subcommand %q (want list, pull, add, remove or inspect)", args[0])
}

// modelsFlags returns the flag set of a models subcommand with its --dir flag.
func modelsFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("models "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, modelsUsage) }
	dir := fs.String("dir", envOr("VISIOND_MODELS_DIR", catalog.DefaultDir), "models directory (env VISIOND_MODELS_DIR)")
	return fs, dir
}

// parseInterleaved parses args allowing flags after positional arguments, and returns the
// positional ones. Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// modelsList prints the catalog as a table with each model's install state.
func modelsList(args []string, stdout, stderr io.Writer) error {
	fs, dir := modelsFlags("list", stderr)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("models list: unexpected argument %q", rest[0])
	}
	store := catalog.Store{Dir: *dir}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTASK\tINSTALLED\tSIZE\tDESCRIPTION")
	for _, m := range catalog.Catalog() {
		if err := listRow(tw, store, m, m.Description); err != nil {
			return err
		}
	}
	own, err := store.Own()
	if err != nil {
		return fmt.Errorf("models list: %w", err)
	}
	for _, c := range own {
		if c.Err != nil {
			fmt.Fprintf(tw, "%s\t-\tinvalid\t-\t%v\n", c.Name, c.Err)
		} else if err := listRow(tw, store, c.Model, "own: "+c.Model.Description); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// listRow writes m's row of `models list`.
func listRow(w io.Writer, store catalog.Store, m catalog.Model, description string) error {
	installed, err := store.State(m)
	if err != nil {
		return fmt.Errorf("models list: %w", err)
	}
	var size int64
	for _, f := range m.Files() {
		size += f.Size
	}
	_, err = fmt.Fprintf(w, "%s\t%s\t%s\t%.1f MiB\t%s\n", m.Name, m.Task, installed, float64(size)/(1<<20), description)
	return err
}

// modelsPull installs the models named in args, the default set when there are none.
func modelsPull(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := modelsFlags("pull", stderr)
	mirror := fs.String("mirror", envOr("VISIOND_MODELS_MIRROR", ""), "folder or http(s) URL to fetch from instead of upstream (env VISIOND_MODELS_MIRROR)")
	force := fs.Bool("force", false, "fetch every file again, even one installed intact")
	names, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	todo, err := pullList(names)
	if err != nil {
		return fmt.Errorf("models pull: %w", err)
	}
	p := &catalog.Puller{Store: catalog.Store{Dir: *dir}, Mirror: *mirror, Progress: newMeter(stdout).show, Force: *force}
	for _, m := range todo {
		if err := p.Pull(ctx, m); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ready in %s\n", m.Name, p.Store.Root())
	}
	return nil
}

// pullList resolves the names given to `models pull` to catalog entries, each once.
func pullList(names []string) ([]catalog.Model, error) {
	if len(names) == 0 {
		names = strings.Fields(defaultPull)
	}
	var todo []catalog.Model
	seen := map[string]bool{}
	add := func(m catalog.Model) {
		if !seen[m.Name] {
			seen[m.Name] = true
			todo = append(todo, m)
		}
	}
	for _, name := range names {
		if name == "all" {
			for _, m := range catalog.Catalog() {
				add(m)
			}
			continue
		}
		m, err := catalog.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("%w; \"all\" pulls every model", err)
		}
		add(m)
	}
	return todo, nil
}

// envOr is the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
