package main

import (
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/sdnotify"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
)

// TestServeNotifiesSystemd runs the daemon as systemd runs a Type=notify service: READY=1
// arrives once the models are loaded (/readyz is 200 by then), STOPPING=1 on SIGTERM.
func TestServeNotifiesSystemd(t *testing.T) {
	bin := buildBinary(t)
	dir := testmodels.Store(t, "coco-ssd").Dir
	lib := testenv.ORTLibrary(t)
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	next := func() string {
		t.Helper()
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--dir", dir, "--ort-lib", lib,
		"--models", "coco-ssd", "--workers", "1", "--mqtt-listen", "127.0.0.1:0")
	cmd.Dir = t.TempDir()
	cmd.Env = append(testenv.CleanEnv(), sdnotify.Env+"="+sock)
	logs := &testenv.LockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	if got := next(); got != sdnotify.Ready {
		t.Fatalf("first notification %q, want %q\n%s", got, sdnotify.Ready, logs.String())
	}
	base := testenv.ListeningURL(t, logs.String, 60*time.Second)
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz answered %d after READY=1", resp.StatusCode)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if got := next(); got != sdnotify.Stopping {
		t.Errorf("notification after SIGTERM %q, want %q", got, sdnotify.Stopping)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
}
