package mqtt

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestBrokerLog: the embedded broker's records below WARN are dropped, and its listeners'
// records without a message get one.
func TestBrokerLog(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(minLevel{slog.NewTextHandler(&out, nil), slog.LevelWarn}).With("listener", "visiond")
	log.Info("client connected")
	log.Warn("", "error", "read tcp: use of closed network connection")
	got := out.String()
	if strings.Contains(got, "client connected") || strings.Count(got, "\n") != 1 {
		t.Errorf("want the warning alone:\n%s", got)
	}
	if !strings.Contains(got, `msg="mqtt connection ended" listener=visiond error=`) {
		t.Errorf("warning without its message or attributes:\n%s", got)
	}
}
