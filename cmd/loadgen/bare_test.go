package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBareHandler(t *testing.T) {
	runs := 0
	var fail error
	srv := httptest.NewServer(bareHandler(func() error { runs++; return fail }))
	defer srv.Close()
	req := request{path: "/v1/detect", body: []byte(strings.Repeat("x", 40_000)), want: `"timings_ms":{"inference":`}
	if _, err := send(context.Background(), srv.URL, req); err != nil || runs != 1 {
		t.Fatalf("send: %v after %d runs, want no error after 1", err, runs)
	}
	fail = errors.New("no session")
	if status, _, _ := post(context.Background(), srv.URL, req); status != 500 || runs != 2 {
		t.Errorf("a failing run answered %d after %d runs, want 500 after 2", status, runs)
	}
}
