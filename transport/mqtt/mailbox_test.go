package mqtt

import (
	"testing"
)

func frame(key string, seq uint64) *inbound { return &inbound{key: key, camera: key, seq: seq} }

func TestMailboxKeepsNewestFramePerCamera(t *testing.T) {
	b := newMailbox(10)
	var replaced int
	for i, m := range []*inbound{frame("a", 1), frame("b", 2), frame("a", 3), frame("a", 4), frame("c", 5)} {
		ok, r := b.put(m)
		if !ok {
			t.Fatalf("put %d refused", i)
		}
		if r {
			replaced++
		}
	}
	if replaced != 2 {
		t.Errorf("%d frames replaced, want 2 (a's first two)", replaced)
	}
	// Cameras come out in the order they first waited; each with its newest frame.
	for _, want := range []*inbound{frame("a", 4), frame("b", 2), frame("c", 5)} {
		if !b.waiting(want.key) {
			t.Errorf("%s not waiting", want.key)
		}
		got, ok := b.take()
		if !ok || got.key != want.key || got.seq != want.seq {
			t.Fatalf("took %+v, want %s #%d", got, want.key, want.seq)
		}
	}
	if b.waiting("a") {
		t.Error("a still waiting after it was taken")
	}
}

func TestMailboxBoundsKeys(t *testing.T) {
	b := newMailbox(2)
	b.put(frame("a", 1))
	b.put(frame("b", 2))
	if ok, _ := b.put(frame("c", 3)); ok {
		t.Error("a third camera was accepted in a mailbox of two")
	}
	if ok, replaced := b.put(frame("a", 4)); !ok || !replaced {
		t.Errorf("a waiting camera's newer frame: accepted %v, replaced %v", ok, replaced)
	}
}

func TestMailboxCloseWakesWorkers(t *testing.T) {
	b := newMailbox(2)
	done := make(chan bool)
	go func() { _, ok := b.take(); done <- ok }()
	b.close()
	if ok := <-done; ok {
		t.Error("take returned a message from a closed, empty mailbox")
	}
	if ok, _ := b.put(frame("a", 1)); ok {
		t.Error("closed mailbox accepted a frame")
	}
}
