package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

func TestVersionCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version", "--ort-lib", testenv.ORTLibrary(t)}, &out, &errOut); err != nil {
		t.Fatalf("version: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{
		`(?m)^visiond +dev$`,
		`(?m)^go +go1\.\d+\S* linux/(amd64|arm64)$`,
		`(?m)^libjpeg-turbo +\d+\.\d+\.\d+ \S*libturbojpeg\.so\S*$`,
		`(?m)^onnxruntime +1\.30\.0 \S*libonnxruntime\.so\.1$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}

	out.Reset()
	err := run(context.Background(), []string{"version", "--ort-lib", "/nonexistent/libonnxruntime.so.1"}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "onnxruntime    not loaded") {
		t.Errorf("a missing library: err %v, output\n%s", err, out.String())
	}
}

func TestHealthcheckCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	check := func(args ...string) error {
		var out, errOut bytes.Buffer
		return run(context.Background(), append([]string{"healthcheck"}, args...), &out, &errOut)
	}

	if err := check("--url", srv.URL+"/healthz"); err != nil {
		t.Errorf("healthy daemon: %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := check("--url", srv.URL+"/healthz"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("503: got %v", err)
	}
	for _, bad := range [][]string{
		{"--url", "file:///etc/passwd"},
		{"--url", "http://"},
		{"--url", srv.URL + "/healthz", "--timeout", "0s"},
		{"extra"},
	} {
		if err := check(bad...); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	srv.Close()
	if err := check("--url", srv.URL+"/healthz", "--timeout", "1s"); err == nil || !strings.Contains(err.Error(), "unhealthy") {
		t.Errorf("no daemon: got %v", err)
	}
}
