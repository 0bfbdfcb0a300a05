package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
)

// TestLayouts opens the page at desktop and phone width, in light and dark mode, with results
// of two photos on it. It checks that nothing sticks out sideways and that the colours follow
// the mode, and writes a screenshot of each: into $VISIOND_SCREENSHOTS when set (make
// screenshots), else into the test's temporary folder.
func TestLayouts(t *testing.T) {
	d := startDaemon(t)
	dir := screenshotDir(t)
	for _, v := range []struct {
		name          string
		width, height int64
		phone         bool
		scheme        string
	}{
		{"desktop-light", 1280, 900, false, "light"},
		{"desktop-dark", 1280, 900, false, "dark"},
		{"phone-light", 390, 844, true, "light"},
		{"phone-dark", 390, 844, true, "dark"},
	} {
		t.Run(v.name, func(t *testing.T) {
			tab := newTab(t)
			viewport := chromedp.EmulateViewport(v.width, v.height)
			if v.phone {
				viewport = chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateMobile, chromedp.EmulateScale(2))
			}
			within(t, tab, 10*time.Second, viewport, emulateScheme(v.scheme))
			openPage(t, tab, d)
			chooseTask(t, tab, "pose")
			upload(t, tab, testenv.Image(t, "person_fullbody_pose.jpg"))
			readCard(t, tab, "person_fullbody_pose.jpg")
			chooseTask(t, tab, "detect")
			upload(t, tab, testenv.Image(t, "airplane_airport_1280.jpg"))
			readCard(t, tab, "airplane_airport_1280.jpg")

			if over := eval[float64](t, tab, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
				t.Errorf("the page is %v CSS pixels wider than the %d-pixel window", over, v.width)
			}
			// The background's luminance, 0..255, from its computed rgb() colour.
			lum := eval[float64](t, tab, `(() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
})()`)
			if dark := lum < 64; dark != (v.scheme == "dark") {
				t.Errorf("%s mode: background luminance %.0f of 255", v.scheme, lum)
			}
			ctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "page-"+v.name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// emulateScheme makes the tab prefer a light or dark colour scheme.
func emulateScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	}
}
