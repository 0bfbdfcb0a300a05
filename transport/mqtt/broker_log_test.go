package mqtt

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// TestBrokerLog: the embedded broker's records below WARN are dropped, its listeners' records
// without a message get one, and a connection the broker closed itself is no warning.
func TestBrokerLog(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(minLevel{slog.NewTextHandler(&out, nil), slog.LevelWarn}).With("listener", "visiond")
	log.Info("client connected")
	log.Warn("", "error", fmt.Errorf("read tcp 127.0.0.1:1883: %w", net.ErrClosed))
	log.Warn("", "error", io.ErrUnexpectedEOF)
	got := out.String()
	if strings.Contains(got, "client connected") || strings.Contains(got, "closed") || strings.Count(got, "\n") != 1 {
		t.Errorf("want the unexpected EOF's warning alone:\n%s", got)
	}
	if !strings.Contains(got, `msg="mqtt connection ended" listener=visiond error="unexpected EOF"`) {
		t.Errorf("warning without its message or attributes:\n%s", got)
	}
}
