package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"io"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
)

func handsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hands", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	model := fs.String("model", "hands", "hand landmark model")
	max := fs.Int("max", models.DefaultMaxHands, fmt.Sprintf("most hands per image (1..%d)", models.MaxHandsLimit))
	minScore := fs.Float64("min-score", models.DefaultHandScore, "least palm score and hand presence a hand needs (0..1)")
	out := fs.String("annotated", "", "write the image with hand skeletons drawn: a file for one image, a folder for several (.png for PNG, else JPEG)")
	quality := fs.Int("quality", 85, "JPEG quality of annotated images (1..100)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("hands: no images given (usage: visiond hands [flags] IMAGE...)")
	}
	if *quality < 1 || *quality > 100 {
		return fmt.Errorf("hands: -quality must be between 1 and 100, got %d", *quality)
	}
	q := models.HandQuery{MaxHands: *max, MinScore: *minScore}
	m, err := models.Lookup(*model)
	if err != nil {
		return err
	}
	eng, opts, err := ef.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	h, err := models.NewHandDetector(opts, m)
	if err != nil {
		return err
	}
	defer h.Close()
	return eachImage(fs.Args(), stdout, stderr, func(path string, img image.Image) (any, models.Timings, error) {
		hands, tt, err := h.Detect(ctx, img, q)
		if err != nil || *out == "" {
			return hands, tt, err
		}
		dst := annotatedPath(*out, path, fs.NArg() > 1)
		return hands, tt, writeAnnotated(dst, annotate.Hands(img, hands, annotate.Options{}), *quality)
	}, m.Name)
}
