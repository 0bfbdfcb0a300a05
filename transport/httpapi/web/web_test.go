package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/transport/httpapi/web"
)

// pageServer serves the page's routes alone, on a loopback port.
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.Register(r)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestServesPageAndAssets(t *testing.T) {
	ts := pageServer(t)
	for _, c := range []struct{ path, typ, holds string }{
		{"/", "text/html", `<script src="/ui/app.js" defer></script>`},
		{"/ui/app.js", "text/javascript", "getUserMedia"},
		{"/ui/app.css", "text/css", "prefers-color-scheme: dark"},
	} {
		res, body := get(t, ts.URL+c.path)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), c.typ) || !strings.Contains(body, c.holds) {
			t.Errorf("GET %s: %d %q, body holds %q: %v", c.path, res.StatusCode, res.Header.Get("Content-Type"), c.holds, strings.Contains(body, c.holds))
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", c.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: CSP %q allows unsafe sources", c.path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: headers %v", c.path, res.Header)
		}
		// A browser that has the file revalidates it with its ETag and downloads nothing.
		again, body := get(t, ts.URL+c.path, "If-None-Match", res.Header.Get("ETag"))
		if res.Header.Get("ETag") == "" || again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("GET %s with its ETag %q: %d, %d bytes", c.path, res.Header.Get("ETag"), again.StatusCode, len(body))
		}
	}
	if res, _ := get(t, ts.URL+"/ui/secrets.txt"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /ui/secrets.txt: %d", res.StatusCode)
	}
}

// TestPageNeedsNothingInline checks what the policy forbids is not in the page: inline
// scripts, event handler attributes, style attributes, other origins.
func TestPageNeedsNothingInline(t *testing.T) {
	ts := pageServer(t)
	for _, path := range []string{"/", "/ui/app.js", "/ui/app.css"} {
		_, body := get(t, ts.URL+path)
		for _, bad := range []*regexp.Regexp{
			regexp.MustCompile(`<script(\s[^>]*)?>[^<]`),                        // a script with a body
			regexp.MustCompile(`<script(\s(?:[^s>]|s[^r])*)?>`),                 // a script without src
			regexp.MustCompile(`\son[a-z]+\s*=`),                                // onclick= and its kind
			regexp.MustCompile(`\sstyle\s*=`),                                   // a style attribute
			regexp.MustCompile(`<style`),                                        // a style element
			regexp.MustCompile(`(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//`), // another origin
			regexp.MustCompile(`\beval\(|new Function\(|innerHTML`),             // code or markup from strings
		} {
			if m := bad.FindString(body); m != "" {
				t.Errorf("%s holds %q", path, m)
			}
		}
	}
}
