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
	"syscall"
)

const usage = `visiond — edge image recognition

Usage:
  visiond serve [flags]                    run the daemon: the HTTP API on :8080 (see --help)
  visiond config print [flags]             show the configuration serve would use
  visiond models list                      show the models visiond knows and which are installed
  visiond models pull [NAME...|all]        download, verify and install models
  visiond classify [flags] IMAGE...        name what each image shows (MobileNet)
  visiond detect [flags] IMAGE...          find objects with boxes (COCO-SSD), optionally drawn
  visiond pose [flags] IMAGE...            find body keypoints (PoseNet, MoveNet), optionally drawn
  visiond hands [flags] IMAGE...           find hands and their 21 landmarks (MediaPipe), optionally drawn
  visiond version                          show this build's version and its runtime libraries
  visiond healthcheck [--url URL]          exit 0 when a running daemon's /healthz answers 200

Run 'visiond COMMAND -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "visiond: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serveCommand(ctx, args[1:], stderr)
	case "config":
		return configCommand(args[1:], stdout, stderr)
	case "models":
		return modelsCommand(ctx, args[1:], stdout, stderr)
	case "classify":
		return classifyCommand(ctx, args[1:], stdout, stderr)
	case "detect":
		return detectCommand(ctx, args[1:], stdout, stderr)
	case "pose":
		return poseCommand(ctx, args[1:], stdout, stderr)
	case "hands":
		return handsCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		return versionCommand(args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheckCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
