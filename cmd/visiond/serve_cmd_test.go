package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/results"
)

// TestServe runs the daemon as a user does: it listens, becomes ready, answers, and stops
// cleanly on SIGTERM.
func TestServe(t *testing.T) {
	bin := buildBinary(t)
	dir := testmodels.Store(t, "coco-ssd", "mobilenet", "posenet").Dir // the default set
	lib := testenv.ORTLibrary(t)
	photo, err := os.ReadFile(testenv.Image(t, "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--dir", dir, "--ort-lib", lib, "--workers", "1", "--drain", "2s")
	cmd.Dir = t.TempDir()
	cmd.Env = append(slices.DeleteFunc(testenv.CleanEnv(), func(kv string) bool { return strings.HasPrefix(kv, "GOMAXPROCS=") }),
		"VISIOND_LOG_LEVEL=debug")
	logs := &testenv.LockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := testenv.ListeningURL(t, logs.String, 60*time.Second)
	testenv.WaitReady(t, base, 60*time.Second, logs.String)
	resp, err := http.Post(base+"/v1/detect", "image/jpeg", bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct{ Results []results.Detection }
	json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("detect: %d %+v", resp.StatusCode, answer)
	}
	golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", answer.Results)
	if metrics := get(t, base+"/metrics"); !strings.Contains(metrics, "\ngo_sched_gomaxprocs_threads 1\n") {
		t.Errorf("Go runs on more than one processor:\n%s", metrics)
	}

	// The drain: after SIGTERM visiond still listens and /readyz says 503 (for --drain 2s), so
	// that load balancers stop sending.
	sawDrain := make(chan bool, 1)
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusServiceUnavailable {
					sawDrain <- true
					return
				}
			}
		}
		sawDrain <- false
	}()
	stopDaemon(t, cmd)
	if !<-sawDrain || !strings.Contains(logs.String(), `msg="draining:`) {
		t.Errorf("no drain seen after SIGTERM:\n%s", logs.String())
	}
	for _, want := range []string{"msg=ready", "msg=request", "status=200", "model=coco-ssd", `msg="shutting down"`, "msg=stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// get returns the body of a GET of url, failing the test on any status but 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// TestOneGoProcessor: one processor for Go code, unless GOMAXPROCS asks for more.
func TestOneGoProcessor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOMAXPROCS", "3")
	runtime.GOMAXPROCS(3)
	oneGoProcessor()
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Errorf("with GOMAXPROCS=3: %d processors", n)
	}
	t.Setenv("GOMAXPROCS", "")
	oneGoProcessor()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("without GOMAXPROCS: %d processors", n)
	}
}

// stopDaemon sends SIGTERM and expects a clean exit within 30 s.
func stopDaemon(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30 s after SIGTERM")
	}
}

func TestServeErrors(t *testing.T) {
	lib := testenv.ORTLibrary(t)
	work := t.TempDir()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bad := filepath.Join(work, "bad.yaml")
	os.WriteFile(bad, []byte("http:\n  addr: ':8080'\n  timeout: 5s\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown key", []string{"--config", bad}, []string{"bad.yaml", "line 3", "timeout"}},
		{"missing file", []string{"--config", filepath.Join(work, "none.yaml")}, []string{"none.yaml"}},
		{"models not installed", []string{"--addr", "127.0.0.1:0", "--ort-lib", lib, "--dir", t.TempDir(), "--models", "mobilenet"}, []string{"mobilenet", "not installed"}},
		{"address in use", []string{"--addr", taken.Addr().String()}, []string{taken.Addr().String(), "in use"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(work)
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "VISIOND_") {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"serve"}, tc.args...), &stdout, &stderr)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestConfigPrint(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("visiond.yaml", []byte("pipeline:\n  workers: 5\nhttp:\n  api_keys: [top-secret]\n"), 0o644)
	t.Setenv("VISIOND_ADDR", "127.0.0.1:9999")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"config", "print", "--queue", "7"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"file visiond.yaml", "workers: 5", "queue: 7", "addr: 127.0.0.1:9999", "<redacted>"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "top-secret") {
		t.Errorf("the API key is printed:\n%s", out)
	}
}
