package main

import (
	"context"
	"image"
	"io"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/results"
)

func poseCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newModelCommand("pose", "posenet", "pose model: posenet (one or many people) or movenet (one person)", "skeletons", stderr)
	multi := c.fs.Bool("multi", false, "find every person (posenet only), not just the best pose")
	max := c.fs.Int("max", models.DefaultMaxPoses, "most poses per image with -multi")
	minScore := c.fs.Float64("min-score", models.DefaultPoseMinScore, "drop poses scoring below this (0..1); with -multi also the lowest score of a part that starts a pose")
	nmsRadius := c.fs.Float64("nms-radius", models.DefaultNMSRadius, "with -multi, how close (in model-input pixels) a part may come to the same part of a better pose")
	if err := c.parse(args); err != nil {
		return err
	}
	q := models.PoseQuery{Multi: *multi, MaxPoses: *max, MinScore: *minScore, NMSRadius: *nmsRadius}
	return runModel(c, stdout, stderr, models.NewPoseEstimator,
		func(e *models.PoseEstimator, img image.Image) ([]results.Pose, models.Timings, error) {
			return e.Estimate(ctx, img, q)
		},
		func(img image.Image, poses []results.Pose) image.Image {
			return annotate.Poses(img, poses, annotate.Options{})
		})
}
