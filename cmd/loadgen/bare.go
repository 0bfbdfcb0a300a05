package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// The bare server is the least an HTTP service around the same inference can do: it reads the
// request body, runs coco-ssd's raw inference on the frame's prepared tensor and answers with
// the time that took, as visiond's timings_ms. It runs as a process of its own on one Go
// processor, as visiond does (loadgen -bare). Timed against the raw inference, it shows what
// HTTP alone costs on this machine around a request that waits that long, with no decoding,
// resizing or post-processing.

// bareHandler answers every request with run's duration once it has read the body.
func bareHandler(run func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		start := time.Now()
		if err := run(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"timings_ms":{"inference":%.3f}}`, ms(time.Since(start)))
	})
}

// serveBare is loadgen -bare: it serves bareHandler on a loopback port, printing its URL as
// the first line of out, until ctx ends.
func serveBare(ctx context.Context, o options, out io.Writer) error {
	runtime.GOMAXPROCS(1)
	frame, err := testFrame(o.image)
	if err != nil {
		return err
	}
	o.workers = 1
	l, _, err := openRaw(o, frame)
	if err != nil {
		return err
	}
	defer l.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: bareHandler(func() error { return l.sess.Run(ctx, l.inputs[0], l.outputs[0]) })}
	go func() { <-ctx.Done(); srv.Close() }()
	fmt.Fprintf(out, "http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bareServer is a running loadgen -bare.
type bareServer struct {
	url string
	cmd *exec.Cmd
}

// startBare starts loadgen -bare with o's model settings and waits for its URL.
func startBare(o options) (*bareServer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-bare", "-image", o.image, "-dir", o.dir, "-ort-lib", o.ortLib, "-threads", strconv.Itoa(o.threads))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &bareServer{cmd: cmd}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.stop()
		return nil, fmt.Errorf("the bare server did not start: %w", err)
	}
	b.url = line[:len(line)-1]
	return b, nil
}

// stop ends the bare server with SIGTERM.
func (b *bareServer) stop() {
	b.cmd.Process.Signal(syscall.SIGTERM)
	b.cmd.Wait()
}
