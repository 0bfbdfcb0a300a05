package camera

import (
	"sync"
	"time"
)

// rateWindow is how many recent events a rate remembers.
const rateWindow = 32

// rate measures events per second over the last rateWindow events.
type rate struct {
	mu    sync.Mutex
	times [rateWindow]time.Time
	n     int // events recorded, up to rateWindow
	next  int
}

// tick records an event at t.
func (r *rate) tick(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times[r.next] = t
	r.next = (r.next + 1) % rateWindow
	r.n = min(r.n+1, rateWindow)
}

// perSecond is the rate of the remembered events, 0 when there are fewer than two or the last
// is more than 5 seconds before now.
func (r *rate) perSecond(now time.Time) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < 2 {
		return 0
	}
	last := r.times[(r.next+rateWindow-1)%rateWindow]
	first := r.times[(r.next+rateWindow-r.n)%rateWindow]
	if now.Sub(last) > 5*time.Second || !last.After(first) {
		return 0
	}
	return float64(r.n-1) / last.Sub(first).Seconds()
}
