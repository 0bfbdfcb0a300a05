package testenv

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// CleanEnv returns the environment without VISIOND_* variables, so that a daemon a test
// starts obeys its flags alone, but for VISIOND_DRAIN=0: it stops without a drain period
// unless a test asks for one with --drain.
func CleanEnv() []string {
	env := []string{"VISIOND_DRAIN=0"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VISIOND_") {
			env = append(env, kv)
		}
	}
	return env
}

// listening matches the line `visiond serve` logs when its listener is open on a loopback port.
var listening = regexp.MustCompile(`msg=listening url=(http://127\.0\.0\.1:\d+)`)

// ListeningURL waits up to limit for the log of a daemon started with --addr 127.0.0.1:0 to
// say where it listens, and returns that base URL.
func ListeningURL(t testing.TB, logs func() string, limit time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(logs()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line after %s:\n%s", limit, logs())
		}
	}
}

// WaitReady polls base/readyz until it answers 200, for at most limit; then it fails with the
// daemon's log.
func WaitReady(t testing.TB, base string, limit time.Duration, logs func() string) {
	t.Helper()
	client := http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(limit); ; time.Sleep(50 * time.Millisecond) {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not 200 after %s:\n%s", base, limit, logs())
		}
	}
}
