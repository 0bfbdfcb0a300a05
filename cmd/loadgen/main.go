// Command loadgen is visiond's HTTP load test. It makes a 640×480 JPEG from a photo, starts
// `visiond serve` with coco-ssd and posenet, and then, in one run:
//
//   - loads the daemon's /v1/detect over HTTP at each concurrency, reporting throughput and
//     p50/p99 latency;
//   - compares, with 8 concurrent clients, what the daemon sustains over HTTP with what the
//     engine alone sustains (the same number of concurrent inferences with the same threads,
//     on a prepared input tensor, in this process while the daemon idles) and with the whole
//     pipeline in this process (JPEG bytes to results, no HTTP). The three alternate in
//     one-second windows so that the machine's other load hits them alike, and each reports
//     the CPU time it spends per request;
//   - times, for a single client, paths alternating round by round: coco-ssd's raw inference
//     on the frame's tensor with one thread and with the engine's threads, the frame's detect
//     and a PoseNet pose over HTTP (also to a second daemon with the previous layout, one
//     thread per inference), and the 1280×1280 photo's detect plain and with the annotated
//     JPEG, beside libjpeg-turbo alone decoding and encoding that photo;
//   - sends 10,000 more requests (plain detects, annotated detects and poses in turn) while
//     reading the daemon's resident memory (VmRSS in /proc/PID/status) to show that it stays
//     flat.
//
// Only explicit 503s (queue full) are acceptable failures: any other error, or memory that
// keeps growing, makes it exit 1.
//
// With -soak it runs the soak test instead (see soak): hostile requests among good ones.
//
//	go run ./cmd/loadgen            (or: make loadtest)
//	go run ./cmd/loadgen -soak      (or: make soak)
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/image/draw"

	"github.com/visiond/visiond/config"
	"github.com/visiond/visiond/models/preprocess"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(1)
	}
}

// options are loadgen's flags.
type options struct {
	visiond, image, dir, ortLib string
	workers, threads            int
	levels                      []int
	duration                    time.Duration
	rssRequests, loneRounds     int
	// extraArgs are more flags for visiond serve.
	extraArgs []string
	// soak runs the soak test instead of the load test: soakRequests mixed requests, then
	// soakGood good ones.
	soak                   bool
	soakRequests, soakGood int
	// bare serves the bare HTTP server of the single-client comparison instead (bare.go).
	bare bool
}

// errStopped is returned when the run is interrupted.
var errStopped = errors.New("interrupted")

func run(ctx context.Context, args []string, out io.Writer) error {
	def := config.Default()
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.visiond, "visiond", "bin/visiond", "the visiond binary to start")
	fs.StringVar(&o.image, "image", defaultImage(), "photo the 640×480 test frame is made from (env VISIOND_TESTDATA)")
	fs.StringVar(&o.dir, "dir", def.Models.Dir, "models directory holding coco-ssd")
	fs.StringVar(&o.ortLib, "ort-lib", def.Engine.Library, "ONNX Runtime library (default: the one make setup installs)")
	fs.IntVar(&o.workers, "workers", def.Pipeline.Workers, "the daemon's workers, and the engine-alone concurrency")
	fs.IntVar(&o.threads, "threads", def.Engine.Threads, "threads per inference, for both")
	levels := fs.String("c", "1,2,8,32", "concurrent clients of each HTTP phase")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each HTTP phase, and of each path of the comparison")
	fs.IntVar(&o.rssRequests, "rss-requests", 10000, "requests of the memory phase")
	fs.IntVar(&o.loneRounds, "lone-rounds", 100, "rounds of the single-client comparison (0: none)")
	fs.BoolVar(&o.soak, "soak", false, "run the soak test instead: hostile requests among good ones (make soak)")
	fs.IntVar(&o.soakRequests, "soak-requests", 3000, "requests of the soak test's mixed phase, every fifth hostile")
	fs.IntVar(&o.soakGood, "soak-good", 1000, "good requests after the mixed phase")
	fs.BoolVar(&o.bare, "bare", false, "serve the single-client comparison's bare HTTP server instead, printing its URL (started by the comparison)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.soak {
		return runSoak(ctx, o, out)
	}
	if o.bare {
		return serveBare(ctx, o, out)
	}
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-c: bad concurrency %q", s)
		}
		o.levels = append(o.levels, n)
	}

	frame, err := testFrame(o.image)
	if err != nil {
		return err
	}
	d, err := startDaemon(ctx, o, o.threads)
	if err != nil {
		return err
	}
	defer d.stop()
	local, err := openLocal(o, frame)
	if err != nil {
		return err
	}
	defer local.close()

	fmt.Fprintf(out, "visiond load test: POST /v1/detect (coco-ssd) of a 640×480 JPEG (%d bytes); %d workers × %d threads; %d CPUs; %v per phase\n\n",
		len(frame), o.workers, o.threads, runtime.NumCPU(), o.duration)
	fmt.Fprintln(out, "| clients | requests/s | p50 ms | p99 ms | 200 | 503 | other | daemon CPU | client CPU |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, c := range o.levels {
		reqs := []request{detectRequest(frame)}
		if err := warmUp(ctx, d.url, reqs, c); err != nil {
			return err
		}
		daemon0, self0 := d.cpu(), selfCPU()
		p, err := httpPhase(ctx, d.url, reqs, c, o.duration, 0, nil)
		if err != nil {
			return err
		}
		cores := func(cpu time.Duration) float64 { return cpu.Seconds() / p.elapsed.Seconds() }
		fmt.Fprintf(out, "| %d | %.1f | %.1f | %.1f | %d | %d | %d | %.2f cores | %.2f cores |\n", c, p.rate(), ms(p.percentile(50)), ms(p.percentile(99)),
			p.ok, p.busy, p.other, cores(d.cpu()-daemon0), cores(selfCPU()-self0))
		if p.other > 0 {
			return fmt.Errorf("%d clients: %d errors other than 503, first: %v", c, p.other, p.firstErr)
		}
	}

	cmp, err := compare(ctx, d, local, frame, 8, o.duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%s", cmp)

	if o.loneRounds > 0 {
		lone, err := lonePhase(ctx, o, d, local, frame, o.loneRounds)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s", lone)
	}

	mixed, err := mixedRequests(o.image, frame)
	if err != nil {
		return err
	}
	rss, err := memoryPhase(ctx, d, mixed, o.rssRequests)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nmemory over %d requests (the 640×480 frame plain, the 1280×1280 photo annotated, PoseNet on a 1000×667 photo, in turn), 8 clients: %s\n", o.rssRequests, rss)
	if rss.grew() {
		return fmt.Errorf("resident memory grew: %s", rss)
	}
	return nil
}

// testFrame makes the 640×480 JPEG: the photo's centre cut to 4:3 and scaled down, as a
// camera frame would be.
func testFrame(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (set VISIOND_TESTDATA or -image)", err)
	}
	src, _, err := preprocess.Decode(data, preprocess.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := src.Bounds()
	crop := b
	if w, h := b.Dx(), b.Dy(); w*3 > h*4 {
		cw := h * 4 / 3
		crop = image.Rect(b.Min.X+(w-cw)/2, b.Min.Y, b.Min.X+(w-cw)/2+cw, b.Max.Y)
	} else {
		ch := w * 3 / 4
		crop = image.Rect(b.Min.X, b.Min.Y+(h-ch)/2, b.Max.X, b.Min.Y+(h-ch)/2+ch)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mixedRequests are the requests of the memory phase, in turn: the frame's plain detect, the
// photo's annotated detect (Accept: image/jpeg) and a single pose of the person photo beside it.
func mixedRequests(photoPath string, frame []byte) ([]request, error) {
	photo, err := os.ReadFile(photoPath)
	if err != nil {
		return nil, err
	}
	person, err := os.ReadFile(filepath.Join(filepath.Dir(photoPath), "person_fullbody_pose.jpg"))
	if err != nil {
		return nil, err
	}
	return []request{
		detectRequest(frame),
		{path: "/v1/detect", accept: "image/jpeg", body: photo},
		{path: "/v1/pose", body: person, want: `"part":"nose"`},
	}, nil
}

// defaultImage is the airplane photo of the shared test data.
func defaultImage() string {
	dir := os.Getenv("VISIOND_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "shared")
	}
	return filepath.Join(dir, "images", "airplane_airport_1280.jpg")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
