package models

import "time"

// Timings are the durations of the stages of one request, for callers and metrics.
type Timings struct {
	Decode      time.Duration
	Preprocess  time.Duration
	Inference   time.Duration
	Postprocess time.Duration
}

// stopwatch measures consecutive stages.
type stopwatch struct{ last time.Time }

func startStopwatch() stopwatch { return stopwatch{last: time.Now()} }

// lap returns the time since the previous lap (or the start).
func (s *stopwatch) lap() time.Duration {
	now := time.Now()
	d := now.Sub(s.last)
	s.last = now
	return d
}
