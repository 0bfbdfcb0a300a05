package pipeline

import (
	"context"
	"errors"
	"time"
)

// The pauses of RetryBusy: the first, and the longest it doubles up to.
const (
	busyWait    = 5 * time.Millisecond
	busyWaitMax = 200 * time.Millisecond
)

// RetryBusy calls run until it returns anything but ErrBusy, pausing between tries (5 ms,
// doubling up to 200 ms), for transports that feed frames rather than answer clients. Before
// each pause it asks stale whether the request is still worth answering (for a camera's
// frame: no newer one waits); once stale says no, or ctx ends, it returns ErrBusy.
func RetryBusy(ctx context.Context, run func() (*Result, error), stale func() bool) (*Result, error) {
	wait := busyWait
	for {
		res, err := run()
		if !errors.Is(err, ErrBusy) || stale() {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, busyWaitMax)
	}
}
