package camera

import (
	"context"
	"image"
	"sync"
	"time"
)

// frame is one decoded picture of a stream.
type frame struct {
	img  *image.RGBA
	at   time.Time // when the helper read it
	seq  uint64
	read time.Time // when visiond received it
}

// slot hands the newest frame of a stream from its reader to its processor: a frame that
// arrives while the previous one still waits replaces it, so nothing queues up behind a slow
// model. Pixel buffers are reused: a replaced frame's buffer goes to the reader's next frame.
type slot struct {
	mu      sync.Mutex
	pending *frame
	spare   [][]byte
	ready   chan struct{} // holds a token while a frame is pending
}

func newSlot() *slot { return &slot{ready: make(chan struct{}, 1)} }

// reuse returns the pixel buffer of a frame nobody reads any more, or nil, for the reader's
// next frame.
func (s *slot) reuse() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.spare) == 0 {
		return nil
	}
	pix := s.spare[len(s.spare)-1]
	s.spare = s.spare[:len(s.spare)-1]
	return pix
}

// put makes f the pending frame and reports whether it replaced one that was never taken.
func (s *slot) put(f *frame) (replaced bool) {
	s.mu.Lock()
	if s.pending != nil {
		s.keep(s.pending.img.Pix)
		replaced = true
	}
	s.pending = f
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
	return replaced
}

// waiting reports whether a frame is pending.
func (s *slot) waiting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending != nil
}

// take waits for the pending frame, or ctx's end (nil).
func (s *slot) take(ctx context.Context) *frame {
	for {
		s.mu.Lock()
		f := s.pending
		s.pending = nil
		s.mu.Unlock()
		if f != nil {
			return f
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.ready:
		}
	}
}

// release gives a frame's pixels back for reuse, once nothing reads them any more.
func (s *slot) release(f *frame) {
	if f == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep(f.img.Pix)
}

// keep adds a buffer to the spares, up to maxSpare; s.mu is held.
func (s *slot) keep(pix []byte) {
	if len(s.spare) < maxSpare {
		s.spare = append(s.spare, pix)
	}
}

// maxSpare bounds the buffers kept for reuse.
const maxSpare = 2
