// Package web is visiond's browser page: one HTML page, its script and its style sheet,
// embedded in the binary. The page only calls the HTTP API (/v1/..., /healthz, /readyz,
// /metrics) like any other client, so it needs no route of its own behind or around the API's
// authentication; its files hold no secrets and are served to anyone.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
)

// static holds the page (index.html) and its assets, served under /ui/.
//
//go:embed static
var static embed.FS

// securityHeaders go on every answer of the page. The policy allows nothing but the page's
// own origin: no inline script or style, no third-party origin, no framing. Images may be
// blob: and data: URLs (the photos a user picks, the annotated images the API returns) and
// media may come from the camera.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(self), microphone=(), geolocation=()",
	"Cache-Control":                "no-cache",
}

// asset is one embedded file, ready to serve.
type asset struct {
	name string
	data []byte
	etag string
}

// Register adds GET / (the page) and GET /ui/NAME (its script and style sheet) to r.
func Register(r gin.IRoutes) {
	for _, a := range assets() {
		route := "/ui/" + a.name
		if a.name == "index.html" {
			route = "/"
		}
		r.GET(route, a.serve)
	}
}

// assets reads the embedded files once per Register; they are a few tens of kilobytes.
func assets() []asset {
	var list []asset
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		list = append(list, asset{name: path.Base(p), data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`})
		return nil
	})
	if err != nil {
		panic("web: embedded files unreadable: " + err.Error()) // only a broken build gets here
	}
	return list
}

// serve writes the file with its security headers. http.ServeContent picks the type from the
// name and answers If-None-Match with 304, so a browser revalidates instead of downloading.
func (a asset) serve(c *gin.Context) {
	h := c.Writer.Header()
	for k, v := range securityHeaders {
		h.Set(k, v)
	}
	h.Set("ETag", a.etag)
	http.ServeContent(c.Writer, c.Request, a.name, time.Time{}, bytes.NewReader(a.data))
}
