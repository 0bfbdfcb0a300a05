package models

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

const (
	// redrawEvery limits how often a terminal bar is redrawn.
	redrawEvery = 100 * time.Millisecond
	// barWidth is the number of cells in a terminal bar.
	barWidth = 24
)

// meter counts the bytes of one transfer and shows them on w: on a terminal as a bar that
// redraws in place, elsewhere as one line when the transfer ends. Output errors are ignored:
// a broken progress stream must not fail a pull.
type meter struct {
	w     io.Writer
	tty   bool
	label string
	total int64 // expected bytes; 0 or less when unknown
	done  int64
	drawn time.Time
}

// newMeter starts a meter for a transfer of total bytes (0 or less: unknown) named label.
// A nil w shows nothing.
func newMeter(w io.Writer, label string, total int64) *meter {
	if w == nil {
		w = io.Discard
	}
	return &meter{w: w, tty: isTerminal(w), label: label, total: total}
}

// isTerminal reports whether w is a file open on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Write counts p and redraws the bar when it is due.
func (m *meter) Write(p []byte) (int, error) {
	m.done += int64(len(p))
	if m.tty && time.Since(m.drawn) >= redrawEvery {
		m.draw()
	}
	return len(p), nil
}

// finish ends the transfer's line with a short outcome ("installed", "failed").
func (m *meter) finish(outcome string) {
	if m.tty {
		m.draw()
		fmt.Fprintf(m.w, "  %s\n", outcome)
		return
	}
	fmt.Fprintf(m.w, "%s  %s  %s\n", m.label, formatBytes(m.done), outcome)
}

// draw rewrites the terminal line with the current state.
func (m *meter) draw() {
	m.drawn = time.Now()
	fmt.Fprintf(m.w, "\r%s\x1b[K", m.line())
}

// line renders the bar: percent, bar, bytes, label.
func (m *meter) line() string {
	if m.total <= 0 {
		return fmt.Sprintf("%10s  %s", formatBytes(m.done), m.label)
	}
	frac := min(float64(m.done)/float64(m.total), 1)
	cells := int(frac * barWidth)
	bar := strings.Repeat("=", cells) + strings.Repeat(" ", barWidth-cells)
	return fmt.Sprintf("%3d%% [%s] %9s / %-9s %s",
		int(frac*100), bar, formatBytes(m.done), formatBytes(m.total), m.label)
}

// formatBytes renders n as B, KiB or MiB.
func formatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

// report writes one line about a file that needed no transfer. A nil w shows nothing.
func report(w io.Writer, f File, outcome string) {
	if w != nil {
		fmt.Fprintf(w, "%s  %s  %s\n", f.Name, formatBytes(f.Size), outcome)
	}
}
