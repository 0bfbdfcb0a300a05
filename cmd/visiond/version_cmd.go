package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/internal/version"
	"github.com/visiond/visiond/models/preprocess/turbo"
)

// versionCommand runs `visiond version`: the build's version and commit, and the Go, ONNX
// Runtime and libjpeg-turbo versions it runs with, one "name version [file]" line each. A
// runtime library that cannot be loaded is printed and makes the command fail.
func versionCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ortLib := fs.String("ort-lib", "", "ONNX Runtime library (env VISIOND_ORT_LIB; default: beside the executable, else the one `make setup` installs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version takes no arguments, got %q", fs.Args())
	}
	line := func(name, value string) { fmt.Fprintf(stdout, "%-14s %s\n", name, value) }
	line("visiond", version.Version)
	line("commit", cmp.Or(version.Commit, "unknown"))
	line("go", runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	tjVersion, tjLib := turbo.Version()
	line("libjpeg-turbo", cmp.Or(tjVersion, "unknown")+" "+tjLib)
	eng, err := ort.New(ort.Config{LibraryPath: *ortLib})
	if err != nil {
		line("onnxruntime", "not loaded")
		return err
	}
	defer eng.Close()
	line("onnxruntime", eng.Version()+" "+eng.LibraryPath())
	return nil
}
