package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/visiond/visiond/models/catalog"
	"golang.org/x/term"
)

const (
	// redrawEvery limits how often a terminal bar is redrawn.
	redrawEvery = 100 * time.Millisecond
	// barWidth is the number of cells in a terminal bar.
	barWidth = 24
)

// meter shows a Puller's transfers on w: on a terminal as a bar per file that redraws in
// place, elsewhere as one line per file when its transfer ends. Output errors are ignored: a
// broken progress stream must not fail a pull.
type meter struct {
	w     io.Writer
	tty   bool
	drawn time.Time
}

// newMeter shows transfers on w.
func newMeter(w io.Writer) *meter {
	return &meter{w: w, tty: isTerminal(w)}
}

// isTerminal reports whether w is a file open on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// show is the Puller's Progress callback.
func (m *meter) show(t catalog.Transfer) {
	switch {
	case t.Outcome == "":
		if m.tty && time.Since(m.drawn) >= redrawEvery {
			m.draw(t)
		}
	case t.Outcome == "up to date":
		fmt.Fprintf(m.w, "%s  %s  %s\n", t.Name, formatBytes(t.Total), t.Outcome)
	case m.tty:
		m.draw(t)
		fmt.Fprintf(m.w, "  %s\n", t.Outcome)
	default:
		fmt.Fprintf(m.w, "%s  %s  %s\n", t.Name, formatBytes(t.Done), t.Outcome)
	}
}

// draw rewrites the terminal line with the current state.
func (m *meter) draw(t catalog.Transfer) {
	m.drawn = time.Now()
	fmt.Fprintf(m.w, "\r%s\x1b[K", barLine(t))
}

// barLine renders a transfer's bar: percent, bar, bytes, name.
func barLine(t catalog.Transfer) string {
	if t.Total <= 0 {
		return fmt.Sprintf("%10s  %s", formatBytes(t.Done), t.Name)
	}
	frac := min(float64(t.Done)/float64(t.Total), 1)
	cells := int(frac * barWidth)
	bar := strings.Repeat("=", cells) + strings.Repeat(" ", barWidth-cells)
	return fmt.Sprintf("%3d%% [%s] %9s / %-9s %s",
		int(frac*100), bar, formatBytes(t.Done), formatBytes(t.Total), t.Name)
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
