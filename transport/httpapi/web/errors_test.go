package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
)

// TestBadFiles sends files visiond refuses, several at once: each card says why in words,
// and the page goes on working.
func TestBadFiles(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)
	chooseTask(t, tab, "detect")

	burger, err := os.ReadFile(testenv.Image(t, "burger.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := []struct {
		name string
		data []byte
		want []string // the words the card shows, and the API's code
	}{
		// A JPEG cut after its first third: the scan data ends early.
		{"cut.jpg", burger[:len(burger)/3], []string{"truncated or corrupt", "(bad_image, HTTP 400)"}},
		{"notes.txt", []byte("shopping list: bread, milk\n"), []string{"not one", "(bad_image, HTTP 400)"}},
		// A little-endian TIFF header with an empty first directory.
		{"scan.tiff", []byte("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"), []string{"does not read this format", "(unsupported_format, HTTP 415)"}},
		// A PNG header declaring 8000×6000 pixels (48 MP), with no pixels behind it.
		{"huge.png", testenv.PNGHeader(8000, 6000), []string{"too large", "(too_large, HTTP 413)"}},
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	upload(t, tab, paths...)
	for _, f := range files {
		c := readCard(t, tab, f.name)
		for _, w := range f.want {
			if !c.Failed || !strings.Contains(c.Msg, w) {
				t.Errorf("%s: card says %q (failed %v); want it to fail saying %q", f.name, c.Msg, c.Failed, w)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "page-errors.png"), screenshot(t, tab, "#cards"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Still usable: the next photo is answered, and the controls respond.
	upload(t, tab, testenv.Image(t, "airplane_airport_1280.jpg"))
	if c := readCard(t, tab, "airplane_airport_1280.jpg"); !c.Done || c.Boxes == 0 {
		t.Fatalf("after the bad files: %q, %d boxes", c.Msg, c.Boxes)
	}
	within(t, tab, 10*time.Second, chromedp.Click(chromedp.ID("clear")))
	if n := eval[int](t, tab, `document.querySelectorAll('#cards .card').length`); n != 0 {
		t.Errorf("%d cards left after Clear", n)
	}
}
