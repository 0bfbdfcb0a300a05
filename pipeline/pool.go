package pipeline

import (
	"context"
	"sync"
)

// pool admits at most `workers` requests at once and lets at most `queue` more wait; beyond
// that, acquire fails at once with ErrBusy so overload is a fast, explicit answer.
type pool struct {
	slots chan struct{}
	queue int

	mu      sync.Mutex
	queued  int
	closed  bool
	running sync.WaitGroup
}

func newPool(workers, queue int) *pool {
	return &pool{slots: make(chan struct{}, workers), queue: queue}
}

// acquire waits for a worker slot; the caller must call release when done.
func (p *pool) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	default:
		if err := p.wait(ctx); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		<-p.slots
		return nil, ErrClosed
	}
	p.running.Add(1)
	return func() { <-p.slots; p.running.Done() }, nil
}

// wait queues for a slot, if the queue has room.
func (p *pool) wait(ctx context.Context) error {
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		return ErrClosed
	case p.queued >= p.queue:
		p.mu.Unlock()
		return ErrBusy
	}
	p.queued++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.queued--
		p.mu.Unlock()
	}()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// full reports whether acquire would fail with ErrBusy now: every worker busy, the queue full.
func (p *pool) full() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots) == cap(p.slots) && p.queued >= p.queue
}

// waiting is the number of queued requests.
func (p *pool) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queued
}

// close refuses new work and waits for running work to finish or ctx to end.
func (p *pool) close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// crowded reports whether more than one request holds a worker or any waits for one.
func (p *pool) crowded() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots) > 1 || p.queued > 0
}
