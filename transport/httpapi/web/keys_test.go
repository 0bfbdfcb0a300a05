package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/visiond/visiond/internal/testenv"
)

// TestAPIKey opens the page of a daemon that demands a key: the page asks for one, says so
// when it is wrong, and works with the right one, which it sends as Authorization: Bearer.
func TestAPIKey(t *testing.T) {
	d := startDaemon(t, "s3cret-key")
	tab := newTab(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(d.url+"/"))
	dialogOpen := `document.getElementById('key-dialog').open`
	waitJS(t, tab, "the key dialog", dialogOpen, 20*time.Second)
	if msg := eval[string](t, tab, `document.getElementById('key-msg').textContent`); msg != "" {
		t.Errorf("before any key, the dialog says %q", msg)
	}

	within(t, tab, 10*time.Second,
		chromedp.SendKeys(chromedp.ID("key"), "wrong-key"),
		chromedp.Click(chromedp.ID("key-ok")))
	waitJS(t, tab, "the wrong key to be refused",
		dialogOpen+` && document.getElementById('key-msg').textContent.includes('refused')`, 20*time.Second)

	within(t, tab, 10*time.Second,
		chromedp.SendKeys(chromedp.ID("key"), "s3cret-key"),
		chromedp.Click(chromedp.ID("key-ok")))
	waitJS(t, tab, "the page to be ready", `document.getElementById('state').textContent === 'Ready'`, 20*time.Second)
	if eval[bool](t, tab, dialogOpen) {
		t.Fatal("the key dialog is still open with the right key")
	}
	if eval[bool](t, tab, `location.href.includes('s3cret')`) {
		t.Error("the key is in the page's URL")
	}
	waitJS(t, tab, "the worker figures from /metrics", `/^\d+ of \d+$/.test(document.getElementById('busy').textContent)`, 20*time.Second)

	chooseTask(t, tab, "classify")
	upload(t, tab, testenv.Image(t, "burger.jpg"))
	if c := readCard(t, tab, "burger.jpg"); !c.Done || c.Rows[0][1] != "cheeseburger" {
		t.Fatalf("with the key: %q, %v", c.Msg, c.Rows)
	}
	if n := d.metric("visiond_http_requests_total", "endpoint", "/v1/models", "status", "401"); n < 2 {
		t.Errorf("the daemon refused /v1/models %v times; want the keyless and the wrong try", n)
	}
}
