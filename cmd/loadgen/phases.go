package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// phase is the outcome of one HTTP load phase.
type phase struct {
	elapsed   time.Duration
	latencies []time.Duration // of the 200s
	ok, busy  int
	other     int
	firstErr  error
}

func (p *phase) rate() float64 { return float64(p.ok) / p.elapsed.Seconds() }

// percentile is the q-th percentile latency of the successful requests.
func (p *phase) percentile(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	s := slices.Clone(p.latencies)
	slices.Sort(s)
	i := int(q/100*float64(len(s)) + 0.5)
	return s[min(max(i-1, 0), len(s)-1)]
}

// client is an HTTP client keeping a connection per load-generating goroutine.
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

// post sends the frame to /v1/detect and reads the whole answer.
func post(ctx context.Context, url string, frame []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/v1/detect", bytes.NewReader(frame))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "image/jpeg")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode == http.StatusOK && !strings.Contains(string(body), `"class":"airplane"`) {
		err = fmt.Errorf("answer without an airplane: %.200s", body)
	}
	return resp.StatusCode, err
}

// warmUp sends a few requests on each of c connections, so that phases measure a warm
// daemon and open connections.
func warmUp(ctx context.Context, url string, frame []byte, c int) error {
	_, err := httpPhase(ctx, url, frame, c, 0, int64(2*c), nil)
	return err
}

// httpPhase runs c clients posting the frame back to back, for d or, when count > 0, until
// count requests have been sent. After each request, onDone (when not nil) gets the number
// of requests done so far.
func httpPhase(ctx context.Context, url string, frame []byte, c int, d time.Duration, count int64, onDone func(done int64)) (*phase, error) {
	var (
		mu   sync.Mutex
		p    = &phase{}
		sent atomic.Int64
		wg   sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	end := start.Add(d)
	for range c {
		wg.Go(func() {
			for ctx.Err() == nil {
				if count > 0 && sent.Add(1) > count || count == 0 && time.Now().After(end) {
					return
				}
				t0 := time.Now()
				status, err := post(ctx, url, frame)
				lat := time.Since(t0)
				mu.Lock()
				switch {
				case err == nil && status == http.StatusOK:
					p.ok++
					p.latencies = append(p.latencies, lat)
				case err == nil && status == http.StatusServiceUnavailable:
					p.busy++
				case ctx.Err() != nil:
				default:
					p.other++
					if p.firstErr == nil {
						p.firstErr = fmt.Errorf("status %d: %v", status, err)
					}
				}
				done := int64(p.ok + p.busy + p.other)
				mu.Unlock()
				if onDone != nil {
					onDone(done)
				}
			}
		})
	}
	wg.Wait()
	p.elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, errStopped
	}
	return p, nil
}

// rssReport is the daemon's resident memory during the memory phase.
type rssReport struct {
	samples []int64 // every 500 requests, the first after the warm-up
	errors  int
}

// grew reports whether memory kept growing after the first 1,000 requests: by more than
// 10% or 16 MiB, whichever is larger.
func (r rssReport) grew() bool {
	if len(r.samples) < 3 {
		return false
	}
	base := r.samples[2] // after 1,000 requests
	return r.samples[len(r.samples)-1]-base > max(base/10, 16<<20)
}

func (r rssReport) String() string {
	if len(r.samples) == 0 {
		return "no samples"
	}
	mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	lo, hi := slices.Min(r.samples), slices.Max(r.samples)
	base := r.samples[min(2, len(r.samples)-1)]
	return fmt.Sprintf("VmRSS at start %s, after 1,000 requests %s, at the end %s (min %s, max %s, %d samples, end − 1,000th %+.1f MiB)",
		mib(r.samples[0]), mib(base), mib(r.samples[len(r.samples)-1]), mib(lo), mib(hi), len(r.samples),
		float64(r.samples[len(r.samples)-1]-base)/(1<<20))
}

// memoryPhase sends n requests with 8 clients and samples the daemon's VmRSS every 500.
func memoryPhase(ctx context.Context, d *daemon, frame []byte, n int) (rssReport, error) {
	var (
		mu  sync.Mutex
		rep rssReport
	)
	sample := func() {
		if v, err := d.rss(); err == nil {
			mu.Lock()
			rep.samples = append(rep.samples, v)
			mu.Unlock()
		}
	}
	sample()
	p, err := httpPhase(ctx, d.url, frame, 8, 0, int64(n), func(done int64) {
		if done%500 == 0 {
			sample()
		}
	})
	if err != nil {
		return rep, err
	}
	sample()
	if p.other > 0 {
		return rep, fmt.Errorf("memory phase: %d errors other than 503, first: %v", p.other, p.firstErr)
	}
	return rep, nil
}
