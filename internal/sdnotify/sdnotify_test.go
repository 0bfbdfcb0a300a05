package sdnotify

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listen opens a datagram socket as systemd does and returns its address and a reader of
// the next datagram.
func listen(t *testing.T, addr string) func() string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return func() string {
		t.Helper()
		buf := make([]byte, 4096)
		if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
}

func TestNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	next := listen(t, path)
	t.Setenv(Env, path)
	for _, state := range []string{Ready, Stopping} {
		if err := Notify(state); err != nil {
			t.Fatal(err)
		}
		if got := next(); got != state {
			t.Errorf("got %q, want %q", got, state)
		}
	}
}

func TestNotifyAbstract(t *testing.T) {
	name := "@visiond-sdnotify-test-" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	next := listen(t, name)
	t.Setenv(Env, name)
	if err := Notify(Ready); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != Ready {
		t.Errorf("got %q, want %q", got, Ready)
	}
}

func TestNotifyWithoutSystemd(t *testing.T) {
	t.Setenv(Env, "")
	if err := Notify(Ready); err != nil {
		t.Errorf("no socket: %v", err)
	}
}

func TestNotifyBadSocket(t *testing.T) {
	for _, addr := range []string{
		"relative/path",
		"vsock:2:1234",
		"/" + strings.Repeat("x", maxSocketPath),
		filepath.Join(t.TempDir(), "nobody-listens"),
	} {
		t.Setenv(Env, addr)
		if err := Notify(Ready); err == nil {
			t.Errorf("%.30q: no error", addr)
		}
	}
}
