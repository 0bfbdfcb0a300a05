package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
)

func detectCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	model := fs.String("model", "coco-ssd", "detection model")
	minScore := fs.Float64("min-score", models.DefaultMinScore, "drop detections scoring below this (0..1)")
	max := fs.Int("max", models.DefaultMaxDetections, "most detections per image")
	classes := fs.String("classes", "", "comma-separated labels to keep, e.g. person,car (default: all)")
	out := fs.String("annotated", "", "write the image with boxes drawn: a file for one image, a folder for several (.png for PNG, else JPEG)")
	quality := fs.Int("quality", 85, "JPEG quality of annotated images (1..100)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("detect: no images given (usage: visiond detect [flags] IMAGE...)")
	}
	if *quality < 1 || *quality > 100 {
		return fmt.Errorf("detect: -quality must be between 1 and 100, got %d", *quality)
	}
	q := models.DetectQuery{MinScore: *minScore, Max: *max}
	if *classes != "" {
		q.Classes = strings.Split(*classes, ",")
	}
	m, err := models.Lookup(*model)
	if err != nil {
		return err
	}
	eng, opts, err := ef.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	d, err := models.NewDetector(opts, m)
	if err != nil {
		return err
	}
	defer d.Close()
	return eachImage(fs.Args(), stdout, stderr, func(path string, img image.Image) (any, models.Timings, error) {
		dets, tt, err := d.Detect(ctx, img, q)
		if err != nil || *out == "" {
			return dets, tt, err
		}
		dst := annotatedPath(*out, path, fs.NArg() > 1)
		return dets, tt, writeAnnotated(dst, annotate.Detections(img, dets, annotate.Options{}), *quality)
	}, m.Name)
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
