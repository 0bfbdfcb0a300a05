// Command visiond is an edge image-recognition daemon and command-line tool: it runs
// COCO-SSD, MobileNet, PoseNet, MoveNet and hand-landmark models through ONNX Runtime.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// usage lists the commands; the task commands come from the pipeline's tasks.
func usage() string {
	var b strings.Builder
	b.WriteString(`visiond — edge image recognition

Usage:
  visiond serve [flags]                    run the daemon: the HTTP API on :8080 (see --help)
  visiond config print [flags]             show the configuration serve would use
  visiond models list                      show the models visiond knows and which are installed
  visiond models pull [NAME...|all]        download, verify and install models
  visiond models add NAME FILE             install a model of your own (see models help)
  visiond version                          show this build's version and its runtime libraries
  visiond healthcheck [--url URL]          exit 0 when a running daemon's /healthz answers 200
`)
	for _, t := range pipeline.Tasks() {
		fmt.Fprintf(&b, "  %-39s  %s\n", "visiond "+string(t.Name)+" [flags] IMAGE...", t.Summary)
	}
	b.WriteString("\nRun 'visiond COMMAND -h' for a command's flags.\n")
	return b.String()
}

func main() {
	oneGoProcessor()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "visiond: %s\n", describe(err))
		}
		os.Exit(1)
	}
}

// oneGoProcessor runs visiond's Go code on one processor unless the GOMAXPROCS variable asks
// for more. The heavy work (inference, JPEG decoding and encoding, resizing) runs in C, and a
// goroutine in a C call holds no processor for long. With a second processor idle beside an
// inference, Go's monitor thread keeps waking (every 20 µs at first) for as long as the call
// lasts, each time taking a core from ONNX Runtime's threads, which then wait for one another:
// a lone 640×480 detect's inference took up to 1.9 ms longer than the same inference run on its
// own (per request, 51.7 monitor wake-ups and 40.2 preemptions, against 16.4 and 11.4 with one
// processor). With one processor, Go is idle while the inference runs, and the monitor sleeps.
func oneGoProcessor() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serveCommand(ctx, args[1:], stderr)
	case "config":
		return configCommand(args[1:], stdout, stderr)
	case "models":
		return modelsCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		return versionCommand(args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheckCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	if t, err := pipeline.LookupTask(catalog.Task(args[0])); err == nil {
		return taskCommand(ctx, t, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, usage())
	return fmt.Errorf("unknown command %q", args[0])
}
