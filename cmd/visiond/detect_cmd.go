package main

import (
	"context"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/results"
)

func detectCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newModelCommand("detect", "coco-ssd", "detection model", "boxes", stderr)
	minScore := c.fs.Float64("min-score", models.DefaultMinScore, "drop detections scoring below this (0..1)")
	max := c.fs.Int("max", models.DefaultMaxDetections, "most detections per image")
	classes := c.fs.String("classes", "", "comma-separated labels to keep, e.g. person,car (default: all)")
	if err := c.parse(args); err != nil {
		return err
	}
	q := models.DetectQuery{MinScore: *minScore, Max: *max}
	if *classes != "" {
		q.Classes = strings.Split(*classes, ",")
	}
	return runModel(c, stdout, stderr, models.NewDetector,
		func(d *models.Detector, img image.Image) ([]results.Detection, models.Timings, error) {
			return d.Detect(ctx, img, q)
		},
		func(img image.Image, dets []results.Detection) image.Image {
			return annotate.Detections(img, dets, annotate.Options{})
		})
}

// annotatedPath is where the annotated copy of src goes: out itself for a single image, or
// out/<name>.annotated.jpg when several images share the folder out.
func annotatedPath(out, src string, several bool) string {
	if !several {
		return out
	}
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	return filepath.Join(out, base+".annotated.jpg")
}

// writeAnnotated encodes img to path, PNG for a .png name and JPEG otherwise.
func writeAnnotated(path string, img image.Image, quality int) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	format := annotate.JPEG
	if strings.EqualFold(filepath.Ext(path), ".png") {
		format = annotate.PNG
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := annotate.Encode(f, img, format, quality); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
