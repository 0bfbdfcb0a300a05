package mqtt

import (
	"sync"
	"time"
)

// inbound is one message taken from the broker, waiting to be processed.
type inbound struct {
	// topic is where it was published.
	topic string
	// camera is the topic's camera level; empty for requests.
	camera string
	// key is its mailbox slot: the camera, or a slot of its own for a request.
	key     string
	payload []byte
	// received is when it arrived; seq numbers the arrivals of its camera.
	received time.Time
	seq      uint64
}

// mailbox holds at most one waiting message per key: a newer one replaces it, so a camera
// that sends faster than inference never builds a backlog. Workers take the keys in the
// order they became pending, which is fair between cameras. The number of pending keys is
// bounded.
type mailbox struct {
	mu      sync.Mutex
	ready   *sync.Cond
	pending map[string]*inbound
	order   []string
	max     int
	closed  bool
}

func newMailbox(maxKeys int) *mailbox {
	b := &mailbox{pending: map[string]*inbound{}, max: maxKeys}
	b.ready = sync.NewCond(&b.mu)
	return b
}

// put stores m in its key's slot. It reports whether it replaced a waiting message (one
// dropped frame), and false for accepted when the mailbox is closed or full.
func (b *mailbox) put(m *inbound) (accepted, replaced bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, false
	}
	if _, replaced = b.pending[m.key]; !replaced {
		if len(b.pending) >= b.max {
			return false, false
		}
		b.order = append(b.order, m.key)
		b.ready.Signal()
	}
	b.pending[m.key] = m
	return true, replaced
}

// take waits for a message; false means the mailbox is closed.
func (b *mailbox) take() (*inbound, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.order) == 0 && !b.closed {
		b.ready.Wait()
	}
	if b.closed {
		return nil, false
	}
	key := b.order[0]
	b.order = b.order[1:]
	m := b.pending[key]
	delete(b.pending, key)
	return m, true
}

// waiting says whether a message is pending under key.
func (b *mailbox) waiting(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.pending[key]
	return ok
}

// close wakes every waiting worker and refuses further messages; pending ones are dropped.
func (b *mailbox) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.ready.Broadcast()
}
