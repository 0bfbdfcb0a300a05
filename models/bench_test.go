package models

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
)

// The speed figures of the README come from these benchmarks:
//
//	go test ./models -run '^$' -bench . -benchtime 100x
//
// Each one times, interleaved in one loop so that machine load hits both alike, raw engine
// inference on a prepared tensor and the full path from JPEG bytes to results (decoded as the
// daemon does, reduced to the model's input size where that is faster), and reports both and
// their ratio.

// interleave runs raw and full once per iteration and reports their mean times and ratio.
func interleave(b *testing.B, raw, full func() error) {
	var rawT, fullT time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := raw(); err != nil {
			b.Fatal(err)
		}
		rawT += time.Since(start)
		start = time.Now()
		if err := full(); err != nil {
			b.Fatal(err)
		}
		fullT += time.Since(start)
	}
	b.ReportMetric(float64(rawT.Microseconds())/float64(b.N)/1000, "raw-ms")
	b.ReportMetric(float64(fullT.Microseconds())/float64(b.N)/1000, "full-ms")
	b.ReportMetric(float64(fullT)/float64(rawT), "full/raw")
}

// rawRun returns a function running g's session on its own prepared buffers.
func rawRun(b *testing.B, g *graph) func() error {
	bufs, err := g.newBuffers()
	if err != nil {
		b.Fatal(err)
	}
	return func() error { return g.sess.Run(context.Background(), bufs.in, bufs.out) }
}

// decoded decodes data as the daemon does, to at least w×h pixels, and hands the image to use;
// its pixels are recycled afterwards.
func decoded(data []byte, w, h int, use func(image.Image) error) error {
	img, _, err := preprocess.DecodeAtLeast(data, preprocess.DefaultLimits, w, h)
	if err != nil {
		return err
	}
	defer preprocess.Recycle(img)
	return use(img)
}

func readImage(b *testing.B, name string) []byte {
	data, err := os.ReadFile(testenv.Image(b, name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkClassify: burger.jpg through MobileNet v2, decode → resize → inference → top-k,
// for each conversion mode.
func BenchmarkClassify(b *testing.B) {
	eng := testmodels.Engine(b)
	m, _ := catalog.Lookup("mobilenet")
	store := testmodels.Store(b, m.Name)
	data := readImage(b, "burger.jpg")
	for _, mode := range []convert.Mode{convert.Float, convert.QDQ} {
		b.Run(mode.String(), func(b *testing.B) {
			c, err := NewClassifier(LoadOptions{Engine: eng, Store: store, Mode: mode, Threads: 2}, m)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			w, h := c.InputSize()
			interleave(b, rawRun(b, c.g), func() error {
				return decoded(data, w, h, func(img image.Image) error {
					_, _, err := c.Classify(context.Background(), img, 3)
					return err
				})
			})
		})
	}
}

// BenchmarkDetect: COCO-SSD on the 1280×1280 airplane photo and on a 640×480 camera-sized
// JPEG made from it, decode → resize → inference → post-process, for each conversion mode.
func BenchmarkDetect(b *testing.B) {
	eng := testmodels.Engine(b)
	m, _ := catalog.Lookup("coco-ssd")
	store := testmodels.Store(b, m.Name)
	photos := map[string][]byte{"1280x1280": readImage(b, "airplane_airport_1280.jpg")}
	photos["640x480"] = cameraFrame(b, photos["1280x1280"])
	for _, mode := range []convert.Mode{convert.Float, convert.QDQ} {
		d, err := NewDetector(LoadOptions{Engine: eng, Store: store, Mode: mode, Threads: 2}, m)
		if err != nil {
			b.Fatal(err)
		}
		w, h := d.InputSize()
		for _, size := range []string{"1280x1280", "640x480"} {
			b.Run(mode.String()+"/"+size, func(b *testing.B) {
				interleave(b, rawRun(b, d.g), func() error {
					return decoded(photos[size], w, h, func(img image.Image) error {
						_, _, err := d.Detect(context.Background(), img, DetectQuery{})
						return err
					})
				})
			})
		}
		d.Close()
	}
}

// BenchmarkInferenceAfterWork: COCO-SSD's raw inference straight after another one, and after
// decoding and resizing the 640×480 frame, as every request's inference comes after its own
// decode. Rounds alternate the two; Go runs on one processor, as in visiond.
func BenchmarkInferenceAfterWork(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	eng := testmodels.Engine(b)
	m, _ := catalog.Lookup("coco-ssd")
	d, err := NewDetector(LoadOptions{Engine: eng, Store: testmodels.Store(b, m.Name), Threads: 2}, m)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	frame := cameraFrame(b, readImage(b, "airplane_airport_1280.jpg"))
	w, h := d.InputSize()
	run := rawRun(b, d.g)
	prepare := func() error {
		return decoded(frame, w, h, func(img image.Image) error {
			bufs, release, err := d.g.take()
			if err == nil {
				_, err = preprocess.ToUint8(img, d.g.layout, bufs.in[0].Data.([]uint8))
				release()
			}
			return err
		})
	}
	var straight, after time.Duration
	for b.Loop() {
		for _, step := range []struct {
			sum    *time.Duration
			before func() error
		}{{&straight, run}, {&after, prepare}} {
			if err := run(); err != nil {
				b.Fatal(err)
			}
			if err := step.before(); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if err := run(); err != nil {
				b.Fatal(err)
			}
			*step.sum += time.Since(start)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(straight.Microseconds())/n/1000, "straight-ms")
	b.ReportMetric(float64(after.Microseconds())/n/1000, "after-ms")
	b.ReportMetric(float64(after)/float64(straight), "after/straight")
}

// BenchmarkAnnotate: drawing the detections onto the 1280×1280 photo and encoding JPEG.
func BenchmarkAnnotate(b *testing.B) {
	eng := testmodels.Engine(b)
	m, _ := catalog.Lookup("coco-ssd")
	d, err := NewDetector(LoadOptions{Engine: eng, Store: testmodels.Store(b, m.Name)}, m)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	img, _, err := preprocess.Decode(readImage(b, "airplane_airport_1280.jpg"), preprocess.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	dets, _, err := d.Detect(context.Background(), img, DetectQuery{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := annotate.Encode(io.Discard, annotate.Detections(img, dets, annotate.Options{}), annotate.JPEG, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// cameraFrame crops the middle 4:3 band of a square photo and scales it to 640×480 (nearest
// pixel is enough for a test frame), as a camera would deliver it.
func cameraFrame(b *testing.B, photo []byte) []byte {
	src, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		b.Fatal(err)
	}
	sb := src.Bounds()
	cropH := sb.Dx() * 3 / 4
	top := (sb.Dy() - cropH) / 2
	dst := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			dst.Set(x, y, src.At(sb.Min.X+x*sb.Dx()/640, sb.Min.Y+top+y*cropH/480))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkHands: hands.jpg (720x382, two hands). Raw is one palm run and one landmark run
// on prepared tensors; full is decode → letterbox → palm detection → decoding and weighted
// NMS → per hand a rotated crop and a landmark run → landmarks mapped back. With max 1 the
// full path makes the same two runs as raw; with max 2 it makes one more landmark run.
func BenchmarkHands(b *testing.B) {
	eng := testmodels.Engine(b)
	m, _ := catalog.Lookup("hands")
	det, err := NewHandDetector(LoadOptions{Engine: eng, Store: testmodels.Store(b, m.Name), Threads: 2}, m)
	if err != nil {
		b.Fatal(err)
	}
	defer det.Close()
	data := readImage(b, "hands.jpg")
	w, h := det.InputSize()
	for _, c := range []struct {
		name string
		max  int
	}{{"max1", 1}, {"max2", 2}} {
		b.Run(c.name, func(b *testing.B) {
			palmRun, landmarkRun := rawRun(b, det.palm), rawRun(b, det.landmark)
			interleave(b, func() error {
				if err := palmRun(); err != nil {
					return err
				}
				return landmarkRun()
			}, func() error {
				return decoded(data, w, h, func(img image.Image) error {
					hands, _, err := det.Detect(context.Background(), img, HandQuery{MaxHands: c.max})
					if err == nil && len(hands) != c.max {
						b.Fatalf("%d hands found, want %d", len(hands), c.max)
					}
					return err
				})
			})
		})
	}
}

// BenchmarkPose: the 1000×667 yoga photo through PoseNet (single- and multi-pose decoding)
// and MoveNet, decode → resize → inference → pose decoding, for each conversion mode.
func BenchmarkPose(b *testing.B) {
	eng := testmodels.Engine(b)
	data := readImage(b, "person_fullbody_pose.jpg")
	runs := []struct {
		model string
		multi bool
	}{{"posenet", false}, {"posenet", true}, {"movenet", false}}
	for _, mode := range []convert.Mode{convert.Float, convert.QDQ} {
		for _, r := range runs {
			name := mode.String() + "/" + r.model
			if r.multi {
				name += "-multi"
			}
			b.Run(name, func(b *testing.B) {
				m, _ := catalog.Lookup(r.model)
				e, err := NewPoseEstimator(LoadOptions{Engine: eng, Store: testmodels.Store(b, m.Name), Mode: mode, Threads: 2}, m)
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close()
				w, h := e.InputSize()
				interleave(b, rawRun(b, e.g), func() error {
					return decoded(data, w, h, func(img image.Image) error {
						_, _, err := e.Estimate(context.Background(), img, PoseQuery{Multi: r.multi})
						return err
					})
				})
			})
		}
	}
}
