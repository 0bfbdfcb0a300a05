package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetryBusy(t *testing.T) {
	answer := &Result{Model: "m"}
	busyTimes := func(n int) func() (*Result, error) {
		return func() (*Result, error) {
			if n > 0 {
				n--
				return nil, ErrBusy
			}
			return answer, nil
		}
	}
	never := func() bool { return false }

	if res, err := RetryBusy(context.Background(), busyTimes(3), never); err != nil || res != answer {
		t.Errorf("busy three times, then free: %v, %v", res, err)
	}
	other := errors.New("bad image")
	calls := 0
	if _, err := RetryBusy(context.Background(), func() (*Result, error) { calls++; return nil, other }, never); err != other || calls != 1 {
		t.Errorf("another error: %v after %d calls, want it at once", err, calls)
	}
	staleAfter := 2
	stale := func() bool { staleAfter--; return staleAfter < 0 }
	if _, err := RetryBusy(context.Background(), busyTimes(100), stale); !errors.Is(err, ErrBusy) || staleAfter != -1 {
		t.Errorf("a stale request: %v, stale asked %d times; want ErrBusy once it is stale", err, 2-staleAfter)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := RetryBusy(ctx, busyTimes(1<<30), never); !errors.Is(err, ErrBusy) || ctx.Err() == nil {
		t.Errorf("until the deadline: %v", err)
	}
}
