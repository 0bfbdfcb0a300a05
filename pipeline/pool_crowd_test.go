package pipeline

import (
	"context"
	"testing"
)

func TestPoolCrowded(t *testing.T) {
	p := newPool(2, 1)
	ctx := context.Background()
	first, err := p.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.crowded() {
		t.Error("crowded with one request")
	}
	second, err := p.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !p.crowded() {
		t.Error("not crowded with two requests on the workers")
	}
	second()
	queued := make(chan error, 1)
	third, _ := p.acquire(ctx)
	go func() {
		r, err := p.acquire(ctx)
		if err == nil {
			r()
		}
		queued <- err
	}()
	waitFor(t, func() bool { return p.waiting() == 1 })
	if !p.crowded() {
		t.Error("not crowded with both workers busy and a request waiting")
	}
	third()
	if err := <-queued; err != nil {
		t.Fatal(err)
	}
	if p.crowded() {
		t.Error("crowded with one request left")
	}
	first()
}
