package mqtt

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/httpapi"
)

// benchRounds alternate the measurements, so that drifts of the machine's speed hit all three alike.
const benchRounds = 5

// BenchmarkThroughput measures, in one run, how many frames per second visiond answers
// when cameras publish a 1280×720 JPEG through Mosquitto (frame in, detections message out),
// and how many the HTTP path answers: visiond's HTTP server on a loopback port, over the same
// pipeline (the same workers and threads), with httpClients clients posting the same JPEG to
// /v1/detect back to back. Cameras send at full speed (each QoS 1 frame as soon as the broker
// took the last) or at a camera's frame rate (one at 120 fps, or four at 30: more frames than
// visiond answers, so that it works flat out and drops some). The HTTP path is measured
// twice: on a quiet machine, and while the same cameras publish to topics no one reads, since
// the cameras and the broker run on the benchmark's machine and take their share of it.
// Reported: the three rates, the ratios of MQTT to both, and the frames dropped (replaced by
// a newer one) per frame answered. b.N frames are answered on each path, in rounds.
func BenchmarkThroughput(b *testing.B) {
	pipe := testpipeline.Shared(b)
	m := startMosquitto(b)
	frame := testenv.ReadImage(b, "cat_720p.jpg")
	detect := serveHTTP(b, pipe)
	for run, c := range []struct{ cameras, fps int }{{1, 0}, {4, 0}, {1, 120}, {4, 30}} {
		name := fmt.Sprintf("cameras=%d/full-speed", c.cameras)
		if c.fps > 0 {
			name = fmt.Sprintf("cameras=%d/fps=%d", c.cameras, c.fps)
		}
		b.Run(name, func(b *testing.B) {
			cfg := Defaults()
			cfg.Broker, cfg.Prefix, cfg.Workers = m.url(), fmt.Sprintf("bench%d-%d", run, b.N), runtime.NumCPU()
			v := startBenchService(b, cfg, pipe)
			cams := cameras{frame: frame, count: c.cameras, fps: c.fps}
			per := max(1, b.N/benchRounds)
			var quiet, loaded, mqtt time.Duration
			for range benchRounds {
				quiet += httpRun(b, detect, frame, per)
				stop := cams.run(b, m.url(), cfg.Prefix+"-unread")
				loaded += httpRun(b, detect, frame, per)
				stop()
				mqtt += v.round(b, cams, per)
			}
			frames := float64(per * benchRounds)
			b.ReportMetric(frames/mqtt.Seconds(), "frames/s")
			b.ReportMetric(frames/quiet.Seconds(), "http-frames/s")
			b.ReportMetric(frames/loaded.Seconds(), "loaded-http-frames/s")
			b.ReportMetric(quiet.Seconds()/mqtt.Seconds(), "mqtt/http")
			b.ReportMetric(loaded.Seconds()/mqtt.Seconds(), "mqtt/loaded-http")
			b.ReportMetric(testutil.ToFloat64(v.metrics.dropped)/frames, "drops/frame")
		})
	}
}

// httpClients is the HTTP path's concurrency, as in the load test: every worker busy and
// requests waiting for them.
const httpClients = 8

// serveHTTP serves pipe with visiond's HTTP server (default settings) on a loopback port and
// returns the URL of its detect route.
func serveHTTP(t testing.TB, pipe *pipeline.Pipeline) string {
	srv, err := httpapi.New(httpapi.Defaults(), pipeline.Defaults().MaxImageBytes, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Ready(pipe, "onnxruntime")
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL + "/v1/detect"
}

// httpRun posts frame to url n times from httpClients clients and returns how long it took.
// Any answer but 200 fails the benchmark.
func httpRun(b *testing.B, url string, frame []byte, n int) time.Duration {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	start := time.Now()
	for range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := post(url, frame); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// httpClient keeps a connection open for each client, as the load test's clients do.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: httpClients}}

// post sends one frame and reads the whole answer.
func post(url string, frame []byte) error {
	resp, err := httpClient.Post(url, "image/jpeg", bytes.NewReader(frame))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("POST /v1/detect: %s: %.200s", resp.Status, body)
	}
	return err
}

// benchService is visiond with a client counting its detections messages.
type benchService struct {
	*Service
	url      string
	answered atomic.Int64
	signal   chan struct{}
}

func startBenchService(b *testing.B, cfg Config, pipe *pipeline.Pipeline) *benchService {
	v := &benchService{Service: startService(b, cfg, pipe), url: cfg.Broker, signal: make(chan struct{}, 1)}
	subscribe(b, client(b, cfg.Broker), func(paho.Message) {
		v.answered.Add(1)
		select {
		case v.signal <- struct{}{}:
		default:
		}
	}, cfg.Prefix+"/+/detections")
	return v
}

// round runs the cameras until n more frames are answered and returns how long that took;
// then it stops them and waits until visiond has dealt with every frame it received.
func (v *benchService) round(b *testing.B, cams cameras, n int) time.Duration {
	target := v.answered.Load() + int64(n)
	start := time.Now()
	stop := cams.run(b, v.url, v.cfg.Prefix)
	deadline := time.After(time.Duration(n) * time.Second)
	for v.answered.Load() < target {
		select {
		case <-v.signal:
		case <-deadline:
			b.Fatalf("%d of %d frames answered", v.answered.Load()-target+int64(n), n)
		}
	}
	elapsed := time.Since(start)
	stop()
	time.Sleep(50 * time.Millisecond) // for the frames the broker still forwards
	for !v.idle() {
		time.Sleep(10 * time.Millisecond)
	}
	return elapsed
}

// idle says whether every frame received was answered or dropped.
func (v *benchService) idle() bool {
	m := v.metrics
	return testutil.ToFloat64(m.received.WithLabelValues("image")) ==
		testutil.ToFloat64(m.published.WithLabelValues("detections"))+testutil.ToFloat64(m.dropped)
}

// fullSpeed is always ready: a camera waiting on it never waits.
var fullSpeed = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// cameras publish one frame over and over, each at fps frames a second (0: full speed).
type cameras struct {
	frame      []byte
	count, fps int
}

// run starts the cameras publishing under prefix; stop ends them and waits.
func (c cameras) run(b *testing.B, url, prefix string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for cam := range c.count {
		client := client(b, url)
		topic := fmt.Sprintf("%s/cam%d/image", prefix, cam)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := fullSpeed
			if c.fps > 0 {
				t := time.NewTicker(time.Second / time.Duration(c.fps))
				defer t.Stop()
				tick = t.C
			}
			for {
				select {
				case <-done:
					return
				case <-tick:
				}
				client.Publish(topic, 1, false, c.frame).Wait()
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}
