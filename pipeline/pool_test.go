package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoolQueueFullIsBusy(t *testing.T) {
	p := newPool(1, 1)
	release, err := p.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.full() {
		t.Fatal("full with the worker busy and the queue empty")
	}
	queued := make(chan error, 1)
	go func() {
		r, err := p.acquire(context.Background())
		if err == nil {
			r()
		}
		queued <- err
	}()
	waitFor(t, func() bool { return p.waiting() == 1 })
	if !p.full() {
		t.Fatal("not full with the worker busy and the queue full")
	}
	if _, err := p.acquire(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("third request with one worker and a queue of one: got %v, want ErrBusy", err)
	}
	release()
	if err := <-queued; err != nil {
		t.Fatalf("queued request: %v", err)
	}
}

func TestPoolCancelWhileQueued(t *testing.T) {
	p := newPool(1, 4)
	release, _ := p.acquire(context.Background())
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := p.acquire(ctx); done <- err }()
	waitFor(t, func() bool { return p.waiting() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: got %v", err)
	}
	if n := p.waiting(); n != 0 {
		t.Fatalf("%d still queued after cancel", n)
	}
}

func TestPoolCloseWaitsForRunning(t *testing.T) {
	p := newPool(2, 0)
	release, _ := p.acquire(context.Background())
	closed := make(chan error, 1)
	go func() { closed <- p.close(context.Background()) }()
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.closed })
	if _, err := p.acquire(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("acquire after close: got %v, want ErrClosed", err)
	}
	select {
	case <-closed:
		t.Fatal("close returned while a request was running")
	case <-time.After(20 * time.Millisecond):
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

func TestPoolCloseTimeout(t *testing.T) {
	p := newPool(1, 0)
	release, _ := p.acquire(context.Background())
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("close with a stuck request and an ended context: got %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
