package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// cleanEnv is the environment without VISIOND_* variables, so that the test's flags decide.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VISIOND_") {
			env = append(env, kv)
		}
	}
	return env
}

// TestServe runs the daemon as a user does: it listens, becomes ready, answers, and stops
// cleanly on SIGTERM.
func TestServe(t *testing.T) {
	bin := buildBinary(t)
	dir := modelsDir(t, "coco-ssd", "mobilenet", "posenet") // the default set
	lib := testenv.ORTLibrary(t)
	photo, err := os.ReadFile(testenv.Image(t, "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--dir", dir, "--ort-lib", lib, "--workers", "1", "--drain", "2s")
	cmd.Dir = t.TempDir()
	cmd.Env = append(cleanEnv(), "VISIOND_LOG_LEVEL=debug")
	logs := &testenv.LockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	listening := regexp.MustCompile(`msg=listening url=(http://127\.0\.0\.1:\d+)`)
	var base string
	waitLog(t, logs, func(s string) bool {
		if m := listening.FindStringSubmatch(s); m != nil {
			base = m[1]
		}
		return base != ""
	})

	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 60 s:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post(base+"/v1/detect", "image/jpeg", bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct{ Results []struct{ Class string } }
	json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(answer.Results) == 0 || answer.Results[0].Class != "airplane" {
		t.Errorf("detect: %d %+v", resp.StatusCode, answer)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The drain: still listening, /readyz says 503 so that load balancers stop sending.
	waitLog(t, logs, func(s string) bool { return strings.Contains(s, `msg="draining:`) })
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining: %v %v; want 503", resp, err)
	} else {
		resp.Body.Close()
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30 s after SIGTERM")
	}
	for _, want := range []string{"msg=ready", "msg=request", "status=200", "model=coco-ssd", `msg="shutting down"`, "msg=stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// waitLog waits up to 60 s for the log to satisfy ok.
func waitLog(t *testing.T, logs *testenv.LockedBuffer, ok func(string) bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(logs.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log after 60 s:\n%s", logs.String())
		}
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
