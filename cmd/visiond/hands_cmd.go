package main

import (
	"context"
	"fmt"
	"image"
	"io"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/results"
)

func handsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newModelCommand("hands", "hands", "hand landmark model", "hand skeletons", stderr)
	max := c.fs.Int("max", models.DefaultMaxHands, fmt.Sprintf("most hands per image (1..%d)", models.MaxHandsLimit))
	minScore := c.fs.Float64("min-score", models.DefaultHandScore, "least palm score and hand presence a hand needs (0..1)")
	if err := c.parse(args); err != nil {
		return err
	}
	q := models.HandQuery{MaxHands: *max, MinScore: *minScore}
	return runModel(c, stdout, stderr, models.NewHandDetector,
		func(h *models.HandDetector, img image.Image) ([]results.Hand, models.Timings, error) {
			return h.Detect(ctx, img, q)
		},
		func(img image.Image, hands []results.Hand) image.Image {
			return annotate.Hands(img, hands, annotate.Options{})
		})
}
