package annotate

import (
	"fmt"
	"image"
	"io"
	"testing"

	"github.com/visiond/visiond/models/results"
)

// frame is a 1280×1280 YCbCr image, as a decoded JPEG camera frame arrives, with 10 boxes.
func frame() (image.Image, []results.Detection) {
	img := image.NewYCbCr(image.Rect(0, 0, 1280, 1280), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 7)
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(i*3), uint8(i*5)
	}
	var dets []results.Detection
	for i := range 10 {
		f := float64(i)
		dets = append(dets, results.Detection{BBox: [4]float64{40 + 110*f, 60 + 100*f, 300, 250}, Class: fmt.Sprintf("class%d", i), Score: 0.5 + f/20})
	}
	return img, dets
}

// BenchmarkDetectionsJPEG is the annotate step of a request: draw 10 boxes on a 1280×1280
// frame and encode it as JPEG; the sub-benchmarks split the time between the two.
func BenchmarkDetectionsJPEG(b *testing.B) {
	img, dets := frame()
	b.Run("draw+encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Encode(io.Discard, Detections(img, dets, Options{}), JPEG, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("draw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Detections(img, dets, Options{})
		}
	})
	out := Detections(img, dets, Options{})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Encode(io.Discard, out, JPEG, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPoses draws 5 full poses with thick anti-aliased lines on a 1280×1280 frame.
func BenchmarkPoses(b *testing.B) {
	img, _ := frame()
	p := person()
	for i := range p.Keypoints {
		p.Keypoints[i].Score = 1
		p.Keypoints[i].Position.X *= 3
		p.Keypoints[i].Position.Y *= 3
	}
	poses := []results.Pose{p, p, p, p, p}
	b.ReportAllocs()
	for b.Loop() {
		Poses(img, poses, Options{})
	}
}

// BenchmarkEncodePNG encodes an annotated 1280×1280 frame as PNG.
func BenchmarkEncodePNG(b *testing.B) {
	img, dets := frame()
	out := Detections(img, dets, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, out, PNG, 0); err != nil {
			b.Fatal(err)
		}
	}
}
