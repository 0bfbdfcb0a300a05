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

// request is one kind of request the load generator sends, and what its answer must hold.
type request struct {
	path   string // with the query
	accept string // the Accept header; image/jpeg asks for the annotated image itself
	body   []byte
	want   string // a string a JSON answer must contain
}

// detectRequest posts a JPEG to /v1/detect; the answer must find an airplane.
func detectRequest(jpeg []byte) request {
	return request{path: "/v1/detect", body: jpeg, want: `"class":"airplane"`}
}

// post sends r and reads the whole answer, checking it: a JPEG when one was asked for,
// else JSON holding r.want. It returns the status and the answer.
func post(ctx context.Context, url string, r request) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "image/jpeg")
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp.StatusCode, body, err
	}
	switch {
	case r.accept == "image/jpeg" && !bytes.HasPrefix(body, []byte{0xff, 0xd8, 0xff}):
		err = fmt.Errorf("%s: asked for a JPEG, got %.100q", r.path, body)
	case r.accept == "" && !strings.Contains(string(body), r.want):
		err = fmt.Errorf("%s: answer without %s: %.200s", r.path, r.want, body)
	}
	return resp.StatusCode, body, err
}

// warmUp sends a few requests on each of c connections, so that phases measure a warm
// daemon and open connections.
func warmUp(ctx context.Context, url string, reqs []request, c int) error {
	_, err := httpPhase(ctx, url, reqs, c, 0, int64(2*c*len(reqs)), nil)
	return err
}

// httpPhase runs c clients sending reqs in turn (the n-th request sent is reqs[n mod
// len(reqs)]) back to back, for d or, when count > 0, until count requests have been sent.
// After each request, onDone (when not nil) gets the number of requests done so far.
func httpPhase(ctx context.Context, url string, reqs []request, c int, d time.Duration, count int64, onDone func(done int64)) (*phase, error) {
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
				n := sent.Add(1)
				if count > 0 && n > count || count == 0 && time.Now().After(end) {
					return
				}
				t0 := time.Now()
				status, _, err := post(ctx, url, reqs[int(n-1)%len(reqs)])
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

// memoryPhase sends n requests, reqs in turn, with 8 clients and samples the daemon's
// VmRSS every 500.
func memoryPhase(ctx context.Context, d *daemon, reqs []request, n int) (rssReport, error) {
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
	p, err := httpPhase(ctx, d.url, reqs, 8, 0, int64(n), func(done int64) {
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
