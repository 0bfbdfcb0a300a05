package camera

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/mqtt"
)

// benchWindow is how long each layout is measured, after benchWarmup.
const (
	benchWindow = 20 * time.Second
	benchWarmup = 5 * time.Second
)

// BenchmarkCameras reads 1280×720 H.264 streams from GStreamer's RTSP server and answers them
// with coco-ssd (the daemon's defaults: 2 workers × 1 thread), publishing on the embedded MQTT
// broker, in two layouts: one camera at 15 fps, and four at 5 fps. For each it reports the
// frames answered per second, the latency from reading a frame to a client receiving its
// detections message (p50, p95), and the CPU of the capture helpers (RTSP, H.264 decode,
// colour conversion) and of the whole test process (inference, MQTT). Run it with
//
//	go test ./transport/camera -run '^$' -bench Cameras -benchtime 1x
func BenchmarkCameras(b *testing.B) {
	pipe := testpipeline.Open(b, pipeline.Defaults(), nil, nil, "coco-ssd")
	for _, layout := range []struct {
		cameras int
		fps     int
	}{{1, 15}, {4, 5}} {
		b.Run(fmt.Sprintf("%dx%dfps", layout.cameras, layout.fps), func(b *testing.B) {
			video := testcamera.Video(b, 1280, 720, layout.fps, 20, "airplane_airport_1280.jpg", "street_coco_000000373353.jpg")
			srv := testcamera.StartRTSP(b, video)
			for range b.N {
				benchLayout(b, pipe, srv.URL("h264"), layout.cameras, float64(layout.fps))
			}
		})
	}
}

// benchLayout measures one layout once.
func benchLayout(b *testing.B, pipe *pipeline.Pipeline, url string, cameras int, fps float64) {
	mcfg := mqtt.Defaults()
	mcfg.Embedded.Listen = "127.0.0.1:0"
	mq, err := mqtt.Start(context.Background(), mcfg, pipe, nil, testLog())
	if err != nil {
		b.Fatal(err)
	}
	defer mq.Close(context.Background())
	<-mq.Ready()

	var mu sync.Mutex
	var latencies []time.Duration
	measuring := false
	c := paho.NewClient(paho.NewClientOptions().AddBroker(mq.BrokerURL()).SetClientID("bench"))
	if tok := c.Connect(); !tok.WaitTimeout(waitLimit) || tok.Error() != nil {
		b.Fatalf("connecting: %v", tok.Error())
	}
	defer c.Disconnect(100)
	c.Subscribe("visiond/+/detections", 0, func(_ paho.Client, m paho.Message) {
		var msg struct{ Timestamp time.Time }
		if json.Unmarshal(m.Payload(), &msg) == nil {
			mu.Lock()
			if measuring {
				latencies = append(latencies, time.Since(msg.Timestamp))
			}
			mu.Unlock()
		}
	}).WaitTimeout(waitLimit)

	var cfg Config
	for i := range cameras {
		cfg = append(cfg, camera(fmt.Sprintf("cam%d", i), url, fps))
	}
	s, err := Start(context.Background(), cfg, pipe, Options{Helper: testcamera.Helper(b), MaxPixels: 40_000_000, Publisher: mq, Log: testLog()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	time.Sleep(benchWarmup)

	counts := func() (read, processed uint64) {
		for _, st := range s.List() {
			read, processed = read+st.FramesRead, processed+st.FramesProcessed
		}
		return read, processed
	}
	helper0, self0 := helperCPU(b), selfCPU()
	r0, p0 := counts()
	mu.Lock()
	measuring = true
	mu.Unlock()
	start := time.Now()
	time.Sleep(benchWindow)
	mu.Lock()
	measuring = false
	lat := slices.Clone(latencies)
	mu.Unlock()
	elapsed := time.Since(start).Seconds()
	helper, self := helperCPU(b)-helper0, selfCPU()-self0
	r1, p1 := counts()
	read, answered := r1-r0, p1-p0

	if answered == 0 || len(lat) == 0 {
		b.Fatalf("nothing answered: %+v", s.List())
	}
	slices.Sort(lat)
	b.ReportMetric(float64(answered)/elapsed, "answered/s")
	b.ReportMetric(float64(cameras)*fps, "offered/s")
	b.ReportMetric(float64(read)/elapsed, "read/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(helper.Seconds()/elapsed, "helper-cores")
	b.ReportMetric(self.Seconds()/elapsed, "visiond-cores")
	var dropped uint64
	for _, st := range s.List() {
		dropped += st.FramesDropped
	}
	b.Logf("%d cameras at %g fps: %d answered in %.1f s, %d dropped in all", cameras, fps, answered, elapsed, dropped)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// helperCPU is the CPU time used so far by the running capture helpers of this process (in
// clock ticks of 1/100 s, Linux's USER_HZ).
func helperCPU(b *testing.B) time.Duration {
	var ticks int64
	for _, f := range helpers(b) {
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// helpers finds the running capture helpers of this process in /proc: by pid, the fields of
// their stat after the name (state, ppid, ...; utime and stime are the 12th and 13th).
func helpers(t testing.TB) map[int][]string {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	me := strconv.Itoa(os.Getpid())
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the process ended
		}
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end+2 > len(s) || s[open+1:end] != HelperName {
			continue
		}
		f := strings.Fields(s[end+2:])
		if len(f) < 13 || f[1] != me {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		out[pid] = f
	}
	return out
}
