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

func poseCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	model := fs.String("model", "posenet", "pose model: posenet (one or many people) or movenet (one person)")
	multi := fs.Bool("multi", false, "find every person (posenet only), not just the best pose")
	max := fs.Int("max", models.DefaultMaxPoses, "most poses per image with -multi")
	minScore := fs.Float64("min-score", models.DefaultPoseMinScore, "drop poses scoring below this (0..1); with -multi also the lowest score of a part that starts a pose")
	nmsRadius := fs.Float64("nms-radius", models.DefaultNMSRadius, "with -multi, how close (in model-input pixels) a part may come to the same part of a better pose")
	out := fs.String("annotated", "", "write the image with skeletons drawn: a file for one image, a folder for several (.png for PNG, else JPEG)")
	quality := fs.Int("quality", 85, "JPEG quality of annotated images (1..100)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("pose: no images given (usage: visiond pose [flags] IMAGE...)")
	}
	if *quality < 1 || *quality > 100 {
		return fmt.Errorf("pose: -quality must be between 1 and 100, got %d", *quality)
	}
	q := models.PoseQuery{Multi: *multi, MaxPoses: *max, MinScore: *minScore, NMSRadius: *nmsRadius}
	m, err := models.Lookup(*model)
	if err != nil {
		return err
	}
	eng, opts, err := ef.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	e, err := models.NewPoseEstimator(opts, m)
	if err != nil {
		return err
	}
	defer e.Close()
	return eachImage(fs.Args(), stdout, stderr, func(path string, img image.Image) (any, models.Timings, error) {
		poses, tt, err := e.Estimate(ctx, img, q)
		if err != nil || *out == "" {
			return poses, tt, err
		}
		dst := annotatedPath(*out, path, fs.NArg() > 1)
		return poses, tt, writeAnnotated(dst, annotate.Poses(img, poses, annotate.Options{}), *quality)
	}, m.Name)
}
