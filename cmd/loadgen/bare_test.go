package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestBareServer(t *testing.T) {
	runs := 0
	var fail error
	b, err := startBare(func() error { runs++; return fail }, []byte(`{"class":"airplane"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	req := request{path: "/v1/detect", body: []byte(strings.Repeat("x", 40_000)), want: `"class":"airplane"`}
	if _, err := send(context.Background(), b.url, req); err != nil || runs != 1 {
		t.Fatalf("send: %v after %d runs, want no error after 1", err, runs)
	}
	fail = errors.New("no session")
	if status, _, _ := post(context.Background(), b.url, req); status != 500 || runs != 2 {
		t.Errorf("a failing run answered %d after %d runs, want 500 after 2", status, runs)
	}
}
