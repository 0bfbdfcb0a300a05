package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
)

func TestAuth(t *testing.T) {
	p := testpipeline.Shared(t)
	photo := testenv.ReadImage(t, "burger.jpg")
	formType, form := multipartBody(t, photo)
	keyedType, keyedForm := multipartBody(t, photo, "api_key", "key-two")
	wrongType, wrongForm := multipartBody(t, photo, "api_key", "key-thre")

	type call struct {
		name, method, path, contentType string
		body                            []byte
		header                          []string
		want                            int
	}
	keyed := []call{
		{"no key", "POST", "/v1/classify", "image/jpeg", photo, nil, 401},
		{"bearer", "POST", "/v1/classify", "image/jpeg", photo, []string{"Authorization", "Bearer key-one"}, 200},
		{"bearer, lower-case scheme", "POST", "/v1/classify", "image/jpeg", photo, []string{"Authorization", "bearer key-two"}, 200},
		{"X-API-Key", "POST", "/v1/classify", "image/jpeg", photo, []string{"X-API-Key", "key-two"}, 200},
		{"wrong key", "POST", "/v1/classify", "image/jpeg", photo, []string{"Authorization", "Bearer key-three"}, 401},
		{"prefix of a key", "POST", "/v1/classify", "image/jpeg", photo, []string{"X-API-Key", "key-on"}, 401},
		{"key in the wrong scheme", "POST", "/v1/classify", "image/jpeg", photo, []string{"Authorization", "Basic key-one"}, 401},
		{"models", "GET", "/v1/models", "", nil, nil, 401},
		{"models with key", "GET", "/v1/models", "", nil, []string{"X-API-Key", "key-one"}, 200},
		{"healthz stays open", "GET", "/healthz", "", nil, nil, 200},
		{"readyz stays open", "GET", "/readyz", "", nil, nil, 200},
		{"openapi stays open", "GET", "/openapi.json", "", nil, nil, 200},
		{"metrics", "GET", "/metrics", "", nil, nil, 401},
		{"metrics with key", "GET", "/metrics", "", nil, []string{"Authorization", "Bearer key-one"}, 200},
		{"DeepStack without key", "POST", "/v1/vision/detection", formType, form, nil, 401},
		{"DeepStack api_key field", "POST", "/v1/vision/detection", keyedType, keyedForm, nil, 200},
		{"DeepStack wrong api_key field", "POST", "/v1/vision/detection", wrongType, wrongForm, nil, 401},
		{"DeepStack header key", "POST", "/v1/vision/detection", formType, form, []string{"X-API-Key", "key-one"}, 200},
		{"DeepStack bad body without key", "POST", "/v1/vision/detection", "image/jpeg", []byte("junk"), nil, 401},
	}
	open := []call{
		{"no key needed", "POST", "/v1/classify", "image/jpeg", photo, nil, 200},
		{"a key is ignored", "POST", "/v1/classify", "image/jpeg", photo, []string{"X-API-Key", "anything"}, 200},
		{"metrics", "GET", "/metrics", "", nil, nil, 200},
		{"DeepStack", "POST", "/v1/vision/detection", formType, form, nil, 200},
	}
	for _, setup := range []struct {
		name        string
		keys        []string
		metricsAuth bool
		calls       []call
	}{
		{"keys", []string{"key-one", "key-two"}, true, keyed},
		{"keys, open metrics", []string{"key-one"}, false, []call{{"metrics", "GET", "/metrics", "", nil, nil, 200}}},
		{"no keys", nil, true, open},
	} {
		cfg := testConfig()
		cfg.APIKeys, cfg.MetricsAuth = setup.keys, setup.metricsAuth
		h := newHarness(t, cfg, p, nil)
		for _, c := range setup.calls {
			t.Run(setup.name+"/"+c.name, func(t *testing.T) {
				r := h.do(c.method, c.path, c.contentType, c.body, c.header...)
				if r.status != c.want {
					t.Fatalf("status %d, want %d: %.200s", r.status, c.want, r.body)
				}
				if r.status != http.StatusUnauthorized {
					return
				}
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				if strings.HasPrefix(c.path, "/v1/vision/") {
					var ds map[string]any
					r.json(t, &ds)
					if ds["success"] != false || ds["error"] == "" {
						t.Errorf("DeepStack 401 body %s", r.body)
					}
				} else if code, _ := r.apiErr(t); code != "unauthorized" {
					t.Errorf("code %q", code)
				}
			})
		}
	}
}

func TestKeyring(t *testing.T) {
	k := newKeyring([]string{"alpha", "beta"})
	for _, tc := range []struct {
		given []string
		want  bool
	}{
		{nil, false}, {[]string{""}, false}, {[]string{"alpha"}, true}, {[]string{"", "beta"}, true},
		{[]string{"alph"}, false}, {[]string{"alphaa"}, false}, {[]string{"gamma", "alpha"}, true},
	} {
		if got := k.allows(tc.given...); got != tc.want {
			t.Errorf("allows(%q) = %v", tc.given, got)
		}
	}
	if !newKeyring(nil).allows() {
		t.Error("no keys configured must allow everything")
	}
}
