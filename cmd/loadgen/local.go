package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/inference/ort"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/pipeline"
)

// local runs coco-ssd in this process, loaded as the daemon loads it (same conversion, same
// workers, same threads): the raw session for the engine-alone ceiling, and a pipeline for
// the full path without HTTP.
type local struct {
	eng  *ort.Engine
	sess inference.Session
	// sess1 is the same model with one thread per inference, for the lone client's best.
	sess1 inference.Session
	pipe  *pipeline.Pipeline
	frame []byte
	// inputs and outputs are one tensor set per worker, the input holding the test frame
	// resized as the daemon resizes it.
	inputs, outputs [][]inference.Tensor
}

// openLocal opens coco-ssd's raw sessions (the engine's threads, and one thread) and its
// pipeline in this process.
func openLocal(o options, frame []byte) (*local, error) {
	l, onnx, err := openRaw(o, frame)
	if err != nil {
		return nil, err
	}
	load := models.LoadOptions{Engine: l.eng, Store: catalog.Store{Dir: o.dir}, PerModel: true, Threads: o.threads}
	cfg := pipeline.Defaults()
	cfg.Workers, cfg.Queue = o.workers, 64
	l.pipe, err = pipeline.Open(cfg, []string{"coco-ssd"}, load, nil)
	if err == nil {
		l.sess1, err = l.eng.Load(onnx, inference.Options{IntraOpThreads: 1})
	}
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// openRaw opens only coco-ssd's raw session with the engine's threads, converted as the
// daemon converts it, and the frame's tensors for o.workers; it returns the converted graph
// too.
func openRaw(o options, frame []byte) (*local, []byte, error) {
	m, err := catalog.Lookup("coco-ssd")
	if err != nil {
		return nil, nil, err
	}
	eng, err := ort.New(ort.Config{LibraryPath: o.ortLib, IntraOpThreads: o.threads})
	if err != nil {
		return nil, nil, err
	}
	l := &local{eng: eng, frame: frame}
	mode := convert.Float
	if m.Convert == "qdq" {
		mode = convert.QDQ
	}
	loaded, err := convert.LoadFile(catalog.Store{Dir: o.dir}.Path(m.Graphs[0]), mode)
	if err == nil {
		l.sess, err = eng.Load(loaded.ONNX, inference.Options{IntraOpThreads: o.threads})
	}
	if err == nil {
		err = l.prepare(o.workers)
	}
	if err != nil {
		l.close()
		return nil, nil, err
	}
	return l, loaded.ONNX, nil
}

// prepare makes each worker's tensors, the input holding the resized test frame.
func (l *local) prepare(workers int) error {
	img, _, err := preprocess.Decode(l.frame, preprocess.DefaultLimits)
	if err != nil {
		return err
	}
	for range workers {
		in, err := inference.NewTensor(l.sess.Inputs()[0])
		if err != nil {
			return err
		}
		data, ok := in.Data.([]uint8)
		if !ok {
			return fmt.Errorf("coco-ssd's input is %v, want uint8", in.DType)
		}
		layout := preprocess.Layout{Width: int(in.Shape[2]), Height: int(in.Shape[1]), Fit: preprocess.Stretch}
		if _, err := preprocess.ToUint8(img, layout, data); err != nil {
			return err
		}
		var outs []inference.Tensor
		for _, info := range l.sess.Outputs() {
			t, err := inference.NewTensor(info)
			if err != nil {
				return err
			}
			outs = append(outs, t)
		}
		l.inputs = append(l.inputs, []inference.Tensor{in})
		l.outputs = append(l.outputs, outs)
	}
	return nil
}

// engineWindow runs every worker's inference back to back for d; it returns how many ran.
func (l *local) engineWindow(ctx context.Context, d time.Duration) int64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for w := range l.inputs {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				if l.sess.Run(ctx, l.inputs[w], l.outputs[w]) == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return n.Load()
}

// pipelineWindow has c goroutines run the test frame through the pipeline back to back for d;
// it returns how many requests succeeded.
func (l *local) pipelineWindow(ctx context.Context, c int, d time.Duration) (int64, error) {
	var n atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for range c {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				_, err := l.pipe.Run(ctx, pipeline.Request{Task: catalog.TaskDetect, Image: l.frame})
				if err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		return n.Load(), err
	}
	return n.Load(), ctx.Err()
}

func (l *local) close() {
	if l.pipe != nil {
		l.pipe.Close(context.Background())
	}
	for _, s := range []inference.Session{l.sess, l.sess1} {
		if s != nil {
			s.Close()
		}
	}
	l.eng.Close()
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tally is what one path of the comparison did.
type tally struct {
	n       int64
	elapsed time.Duration
	cpu     time.Duration // CPU time spent by the process doing the work
	client  time.Duration // for HTTP: CPU time of this process, the client
}

func (t tally) rate() float64 { return float64(t.n) / t.elapsed.Seconds() }

func (t tally) cpuPer(d time.Duration) float64 { return ms(d) / float64(t.n) }

// comparison is the engine / pipeline / HTTP comparison at one concurrency.
type comparison struct {
	clients, workers, threads int
	engine, pipe, http        tally
}

// compare alternates one-second windows of the three paths until each has run for d.
func compare(ctx context.Context, d *daemon, l *local, frame []byte, clients int, total time.Duration) (comparison, error) {
	c := comparison{clients: clients, workers: len(l.inputs)}
	reqs := []request{detectRequest(frame)}
	if err := warmUp(ctx, d.url, reqs, clients); err != nil {
		return c, err
	}
	measure := func(t *tally, cpu func() time.Duration, work func() (int64, error)) error {
		start, cpu0, self0 := time.Now(), cpu(), selfCPU()
		n, err := work()
		t.n += n
		t.elapsed += time.Since(start)
		t.cpu += cpu() - cpu0
		t.client += selfCPU() - self0
		return err
	}
	for c.http.elapsed < total {
		if err := measure(&c.engine, selfCPU, func() (int64, error) { return l.engineWindow(ctx, time.Second), ctx.Err() }); err != nil {
			return c, err
		}
		if err := measure(&c.pipe, selfCPU, func() (int64, error) { return l.pipelineWindow(ctx, clients, time.Second) }); err != nil {
			return c, err
		}
		err := measure(&c.http, d.cpu, func() (int64, error) {
			p, err := httpPhase(ctx, d.url, reqs, clients, time.Second, 0, nil)
			if err == nil && p.other > 0 {
				err = fmt.Errorf("%d errors other than 503, first: %v", p.other, p.firstErr)
			}
			if err != nil {
				return 0, err
			}
			return int64(p.ok), nil
		})
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c comparison) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d concurrent, alternating 1 s windows:\n\n", c.clients)
	fmt.Fprintln(&b, "| path | per second | CPU ms each |")
	fmt.Fprintln(&b, "|---|---|---|")
	fmt.Fprintf(&b, "| engine alone: %d × session.Run on a prepared tensor | %.1f | %.1f |\n", c.workers, c.engine.rate(), c.engine.cpuPer(c.engine.cpu))
	fmt.Fprintf(&b, "| pipeline in-process: JPEG bytes → results | %.1f | %.1f |\n", c.pipe.rate(), c.pipe.cpuPer(c.pipe.cpu))
	fmt.Fprintf(&b, "| HTTP: POST /v1/detect to the daemon | %.1f | %.1f (+ %.1f in the client) |\n", c.http.rate(), c.http.cpuPer(c.http.cpu), c.http.cpuPer(c.http.client))
	verdict := "met"
	if c.http.rate() < 0.8*c.engine.rate() {
		verdict = "missed"
	}
	fmt.Fprintf(&b, "\nHTTP / engine alone = %.2f (target ≥ 0.80: %s); HTTP / pipeline in-process = %.2f\n",
		c.http.rate()/c.engine.rate(), verdict, c.http.rate()/c.pipe.rate())
	return b.String()
}
