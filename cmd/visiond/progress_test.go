package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/models/catalog"
)

func TestMeterPlainWriterPrintsOneLinePerFile(t *testing.T) {
	var out bytes.Buffer
	m := newMeter(&out)
	for i := range 3 {
		m.show(catalog.Transfer{Name: "g.tflite", Done: int64(i+1) << 20, Total: 3 << 20})
	}
	m.show(catalog.Transfer{Name: "g.tflite", Done: 3 << 20, Total: 3 << 20, Outcome: "installed"})
	if got, want := out.String(), "g.tflite  3.0 MiB  installed\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestMeterTerminalRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	m := newMeter(&out)
	m.tty = true
	m.show(catalog.Transfer{Name: "g.tflite", Done: 1024, Total: 2048})
	m.show(catalog.Transfer{Name: "g.tflite", Done: 2048, Total: 2048, Outcome: "installed"})
	got := out.String()
	if !strings.HasPrefix(got, "\r") || strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "  installed\n") {
		t.Errorf("terminal output = %q, want \\r redraws and one final newline", got)
	}
	if !strings.Contains(got, " 50% [============            ]   1.0 KiB / 2.0 KiB   g.tflite") {
		t.Errorf("terminal output lacks the half-way bar: %q", got)
	}
	if !strings.Contains(got, "100% [========================]   2.0 KiB / 2.0 KiB   g.tflite") {
		t.Errorf("terminal output lacks the full bar: %q", got)
	}
}

func TestMeterLine(t *testing.T) {
	tests := []struct {
		total, done int64
		want        string
	}{
		{0, 1500, "   1.5 KiB  f"},
		{-1, 10, "      10 B  f"},
		{4, 1, " 25% [======                  ]       1 B / 4 B       f"},
		{4, 9, "100% [========================]       9 B / 4 B       f"},
	}
	for _, tt := range tests {
		if got := barLine(catalog.Transfer{Name: "f", Total: tt.total, Done: tt.done}); got != tt.want {
			t.Errorf("line(done %d of %d) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}

func TestMeterUpToDate(t *testing.T) {
	var out bytes.Buffer
	newMeter(&out).show(catalog.Transfer{Name: "f", Total: 10484, Outcome: "up to date"})
	if got, want := out.String(), "f  10.2 KiB  up to date\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []io.Writer{f, &bytes.Buffer{}} {
		if isTerminal(w) {
			t.Errorf("isTerminal(%T) = true, want false", w)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{10484, "10.2 KiB"},
		{4183312, "4.0 MiB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
