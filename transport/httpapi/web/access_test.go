package web_test

import (
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboardAndLabels walks the page with the Tab key, and checks that every control has a
// name a screen reader can say and that text stands out from its background, in both modes.
func TestKeyboardAndLabels(t *testing.T) {
	d := startDaemon(t)
	tab := newTab(t)
	openPage(t, tab, d)

	// Tab from the top: the skip link, then the controls in reading order; disabled and
	// hidden ones (the model list of one model, detect's missing options) are passed over.
	var order []string
	for range 7 {
		within(t, tab, 5*time.Second, chromedp.KeyEvent(kb.Tab))
		order = append(order, eval[string](t, tab, `document.activeElement.id || document.activeElement.className`))
	}
	if want := []string{"skip", "task", "min-score", "classes", "pick", "facing", "cam-start"}; !slices.Equal(order, want) {
		t.Errorf("Tab goes through %q; want %q", order, want)
	}

	unnamed := eval[[]string](t, tab, `[...document.querySelectorAll('input, select, button, textarea')]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
  .map((e) => e.id || e.outerHTML.slice(0, 60))`)
	if len(unnamed) > 0 {
		t.Errorf("controls without a name: %q", unnamed)
	}

	// WCAG contrast of each text against the first opaque background behind it.
	const contrastJS = `(() => {
  const rgb = (s) => s.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const sel of ['h1', 'h2', '.field label', '.field small', '.note', '.drop p', '.pill', 'button.primary', 'button', 'th', 'td', '.facts dt', '.empty', 'select', 'input[type=text]']) {
    const e = document.querySelector(sel);
    if (!e) { low.push(sel + ': missing'); continue; }
    const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(sel + ': ' + ratio.toFixed(2));
  }
  return low;
})()`
	for _, scheme := range []string{"light", "dark"} {
		within(t, tab, 5*time.Second, emulateScheme(scheme))
		if low := eval[[]string](t, tab, contrastJS); len(low) > 0 {
			t.Errorf("%s mode, text under 4.5:1 contrast: %q", scheme, low)
		}
	}
}
