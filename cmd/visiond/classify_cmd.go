package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
)

// imageReport is what the CLI prints for one image: the results in the TensorFlow.js shape,
// with the image path, model and stage timings around them.
type imageReport struct {
	Image   string             `json:"image"`
	Model   string             `json:"model"`
	Width   int                `json:"width"`
	Height  int                `json:"height"`
	Results any                `json:"results"`
	Timings map[string]float64 `json:"timings_ms"`
}

func timingsMillis(t models.Timings) map[string]float64 {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return map[string]float64{
		"decode": ms(t.Decode), "preprocess": ms(t.Preprocess),
		"inference": ms(t.Inference), "postprocess": ms(t.Postprocess),
	}
}

func classifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newModelCommand("classify", "mobilenet", "classification model", "", stderr)
	top := c.fs.Int("top", models.DefaultTop, "number of classes per image")
	if err := c.parse(args); err != nil {
		return err
	}
	return runModel(c, stdout, stderr, models.NewClassifier,
		func(cl *models.Classifier, img image.Image) ([]results.Classification, models.Timings, error) {
			return cl.Classify(ctx, img, *top)
		}, nil)
}

// eachImage decodes every path and runs task on it, printing one JSON line per image with the
// task's timings and the decode time. With
// several images a failing one is reported on stderr and the others go on; the returned error
// is the failure itself for a single image, or the count of failures.
func eachImage(paths []string, stdout, stderr io.Writer, task func(path string, img image.Image) (any, models.Timings, error), model string) error {
	enc := json.NewEncoder(stdout)
	failed := 0
	for _, path := range paths {
		err := func() error {
			data, err := readImage(path)
			if err != nil {
				return err
			}
			start := time.Now()
			img, info, err := preprocess.Decode(data, preprocess.DefaultLimits)
			if err != nil {
				return err
			}
			decode := time.Since(start)
			res, t, err := task(path, img)
			if err != nil {
				return err
			}
			t.Decode = decode
			return enc.Encode(imageReport{Image: path, Model: model, Width: info.Width, Height: info.Height, Results: res, Timings: timingsMillis(t)})
		}()
		if err != nil && len(paths) == 1 {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "visiond: %s: %v\n", path, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, len(paths))
	}
	return nil
}
