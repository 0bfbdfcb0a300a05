package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/preprocess/turbo"
)

// loneReport is what a single client waits for. Each round runs every path burst times in a
// row and times all but the first, the paths alternating so that the machine's other load hits
// them alike.
type loneReport struct {
	rounds int
	// raw1 and raw2 are coco-ssd's raw inference on the prepared 640×480 frame's tensor, with
	// one thread and with the engine's threads, alone.
	raw1, raw2 []time.Duration
	// detect and detectOld are the frame's POST /v1/detect to the daemon and to a daemon
	// with the previous default layout (one thread per inference).
	detect, detectOld []time.Duration
	// stages are the daemon's own timings of each timed detect (its answer's timings_ms).
	stages []stageTimings
	// pose and poseOld are POST /v1/pose (PoseNet, single pose) to the same two daemons.
	pose, poseOld []time.Duration
	// plain and annotated are POST /v1/detect of the 1280×1280 photo, as JSON and with
	// Accept: image/jpeg (the annotated photo itself).
	plain, annotated []time.Duration
	// floor is libjpeg-turbo alone decoding that photo at full size and encoding it at
	// quality 85, 4:2:0, in this process.
	floor []time.Duration
	// bare is the frame's POST to a bare HTTP server, a process that only runs the raw
	// inference with the engine's threads (loadgen -bare); decode is libjpeg-turbo alone decoding
	// the frame. With the daemon's resize and post-processing they add up to the least a
	// request can take when its stages run one after another.
	bare, decode []time.Duration
	// bareStages are the bare server's own timings of its inference.
	bareStages []stageTimings
}

// lonePhase times, for a single client, the paths of loneReport, rounds times each. It starts
// a second daemon with the previous default layout and stops it at the end.
func lonePhase(ctx context.Context, o options, d *daemon, l *local, frame []byte, rounds int) (*loneReport, error) {
	photo, err := os.ReadFile(o.image)
	if err != nil {
		return nil, err
	}
	person, err := os.ReadFile(filepath.Join(filepath.Dir(o.image), "person_fullbody_pose.jpg"))
	if err != nil {
		return nil, err
	}
	old, err := startDaemon(ctx, o, 1)
	if err != nil {
		return nil, err
	}
	defer old.stop()
	detect := detectRequest(frame)
	bare, err := startBare(o)
	if err != nil {
		return nil, err
	}
	defer bare.stop()
	pose := request{path: "/v1/pose", body: person, want: `"part":"nose"`}
	plain := detectRequest(photo)
	annotated := request{path: "/v1/detect", accept: "image/jpeg", body: photo}
	// One Go processor, as visiond runs: with a second one idle, Go's monitor thread keeps
	// waking during a long C call and takes cores from the raw inference's threads.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	r := &loneReport{rounds: rounds}
	var (
		pix, framePix []byte
		answer        []byte // the last answer sent
	)
	sending := func(url string, req request) func() error {
		return func() (err error) { answer, err = send(ctx, url, req); return err }
	}
	steps := []struct {
		dst    *[]time.Duration
		run    func() error
		stages *[]stageTimings // the answers' timings_ms, when kept
	}{
		{dst: &r.raw1, run: func() error { return l.sess1.Run(ctx, l.inputs[0], l.outputs[0]) }},
		{dst: &r.raw2, run: func() error { return l.sess.Run(ctx, l.inputs[0], l.outputs[0]) }},
		{dst: &r.detect, run: sending(d.url, detect), stages: &r.stages},
		{dst: &r.detectOld, run: sending(old.url, detect)},
		{dst: &r.bare, run: sending(bare.url, request{path: "/", body: frame, want: `"timings_ms":`}), stages: &r.bareStages},
		{dst: &r.decode, run: func() error {
			img, _, err := turbo.DecodeScaled(frame, 1<<30, 1<<30, preprocess.DefaultLimits.MaxPixels, framePix)
			if err == nil {
				framePix = img.Pix
			}
			return err
		}},
		{dst: &r.pose, run: sending(d.url, pose)},
		{dst: &r.poseOld, run: sending(old.url, pose)},
		{dst: &r.plain, run: sending(d.url, plain)},
		{dst: &r.annotated, run: sending(d.url, annotated)},
		{dst: &r.floor, run: func() error {
			img, _, err := turbo.DecodeScaled(photo, 1<<30, 1<<30, preprocess.DefaultLimits.MaxPixels, pix)
			if err != nil {
				return err
			}
			pix = img.Pix
			_, err = turbo.Encode(nil, img, 85)
			return err
		}},
	}
	for round := -1; round < rounds; round++ { // the first round warms up
		for _, s := range steps {
			for i := range burst {
				start := time.Now()
				if err := s.run(); err != nil {
					return nil, err
				}
				if round >= 0 && i > 0 {
					*s.dst = append(*s.dst, time.Since(start))
					if s.stages != nil { // read after the clock stopped
						t, err := stagesOf(answer)
						if err != nil {
							return nil, err
						}
						*s.stages = append(*s.stages, t)
					}
				}
			}
		}
	}
	return r, nil
}

// burst is how many times a round runs each path in a row; the first run of each burst is not
// timed. A lone client (a camera, a person at the web page) sends to a daemon that serves
// nothing else, whose model stays in the processor's caches between its requests. Timed once
// each, every path would start with caches the paths before it emptied: coco-ssd's float
// weights are 16 MB, and a round runs four copies of them (the two raw sessions here, each
// daemon's own) and PoseNet's, through an L3 cache of 32 MB on the machine measured.
const burst = 4

// send posts r once and returns the answer; anything but a checked 200 is an error.
func send(ctx context.Context, url string, r request) ([]byte, error) {
	status, body, err := post(ctx, url, r)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%s: status %d", r.path, status)
	}
	return body, err
}

// stageTimings are the stages of one request as the daemon timed them, in milliseconds.
type stageTimings struct {
	Queue       float64 `json:"queue"`
	Decode      float64 `json:"decode"`
	Preprocess  float64 `json:"preprocess"`
	Inference   float64 `json:"inference"`
	Postprocess float64 `json:"postprocess"`
}

// stagesOf reads the stage timings of a JSON answer.
func stagesOf(answer []byte) (stageTimings, error) {
	var a struct {
		Timings stageTimings `json:"timings_ms"`
	}
	err := json.Unmarshal(answer, &a)
	return a.Timings, err
}

// medianOf is the middle of f over ts.
func medianOf(ts []stageTimings, f func(stageTimings) float64) float64 {
	v := make([]float64, len(ts))
	for i, t := range ts {
		v[i] = f(t)
	}
	return middle(v)
}

// median is the middle of ds.
func median(ds []time.Duration) time.Duration { return middle(slices.Clone(ds)) }

// middle sorts v and returns its middle value.
func middle[T cmp.Ordered](v []T) T {
	slices.Sort(v)
	return v[len(v)/2]
}

func (r *loneReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "a single client, %d rounds of %d runs of each path in a row, the first untimed (medians):\n\n", r.rounds, burst)
	fmt.Fprintln(&b, "| path | median ms |")
	fmt.Fprintln(&b, "|---|---|")
	row := func(name string, ds []time.Duration) { fmt.Fprintf(&b, "| %s | %.2f |\n", name, ms(median(ds))) }
	row("raw coco-ssd inference, 1 thread", r.raw1)
	row("raw coco-ssd inference, the engine's threads", r.raw2)
	row("POST /v1/detect 640×480", r.detect)
	row("POST /v1/detect 640×480, previous layout (1 thread)", r.detectOld)
	row("POST of the 640×480 frame to a bare HTTP server running the raw inference", r.bare)
	row("libjpeg-turbo: decode the 640×480 frame", r.decode)
	row("POST /v1/pose (PoseNet single)", r.pose)
	row("POST /v1/pose, previous layout (1 thread)", r.poseOld)
	row("POST /v1/detect 1280×1280", r.plain)
	row("POST /v1/detect 1280×1280, Accept: image/jpeg", r.annotated)
	row("libjpeg-turbo: decode + encode (q85, 4:2:0) 1280×1280", r.floor)
	stage := func(f func(stageTimings) float64) float64 { return medianOf(r.stages, f) }
	resize := stage(func(t stageTimings) float64 { return t.Preprocess })
	post := stage(func(t stageTimings) float64 { return t.Postprocess })
	fmt.Fprintf(&b, "\nthe 640×480 detect as the daemon timed it (medians, ms): inference %.2f, decode %.2f, resize %.2f, post-processing %.2f, queue %.3f; the rest of the %.2f (HTTP, the client) %.2f\n",
		stage(func(t stageTimings) float64 { return t.Inference }), stage(func(t stageTimings) float64 { return t.Decode }), resize,
		post, stage(func(t stageTimings) float64 { return t.Queue }), ms(median(r.detect)),
		ms(median(r.detect))-stage(func(t stageTimings) float64 { return t.Queue + t.Decode + t.Preprocess + t.Inference + t.Postprocess }))
	best := min(median(r.raw1), median(r.raw2))
	httpAlone := make([]float64, len(r.bare))
	for i, d := range r.bare {
		httpAlone[i] = ms(d) - r.bareStages[i].Inference
	}
	h := middle(httpAlone)
	serial := ms(best) + h + ms(median(r.decode)) + resize + post
	fmt.Fprintf(&b, "the least a request whose stages run one after another takes here: the best raw inference %.2f + HTTP alone %.2f (the bare server's answer less its inference) + libjpeg-turbo's decode %.2f + the daemon's resize and post-processing %.2f = %.2f ms = %.2f × the best raw inference\n",
		ms(best), h, ms(median(r.decode)), resize+post, serial, serial/ms(best))
	fmt.Fprintf(&b, "\ndetect 640×480 / best raw inference = %.2f (target ≤ 1.25; previous layout %.2f)\n",
		float64(median(r.detect))/float64(best), float64(median(r.detectOld))/float64(best))
	fmt.Fprintf(&b, "PoseNet, previous layout / now = %.2f (target ≥ 1.4)\n", float64(median(r.poseOld))/float64(median(r.pose)))
	added := median(r.annotated) - median(r.plain)
	fmt.Fprintf(&b, "annotated − plain = %.2f ms = %.2f × libjpeg-turbo's decode + encode (target ≤ 1.5)\n",
		ms(added), float64(added)/float64(median(r.floor)))
	return b.String()
}
