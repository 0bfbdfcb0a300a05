package pipeline

import (
	"context"
	"image"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/results"
)

// runner is one loaded model behind the task-independent face the pipeline needs.
type runner interface {
	task() models.Task
	// labels is the number of classes the model names (0 when it names none).
	labels() int
	// InputSize is the most pixels an image needs in each direction for full accuracy.
	InputSize() (w, h int)
	run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error)
	draw(img image.Image, out any) image.Image
	close() error
}

// loaders open a model of each task the pipeline serves.
var loaders = map[models.Task]func(models.LoadOptions, models.Model) (runner, error){
	models.TaskDetect: func(o models.LoadOptions, m models.Model) (runner, error) {
		d, err := models.NewDetector(o, m)
		return detector{d}, err
	},
	models.TaskClassify: func(o models.LoadOptions, m models.Model) (runner, error) {
		c, err := models.NewClassifier(o, m)
		return classifier{c}, err
	},
}

type detector struct{ *models.Detector }

func (detector) task() models.Task { return models.TaskDetect }
func (d detector) labels() int     { return len(d.Labels()) }
func (d detector) close() error    { return d.Close() }
func (d detector) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return d.Detect(ctx, img, models.DetectQuery{MinScore: o.MinScore, Max: o.Max, Classes: o.Classes})
}
func (detector) draw(img image.Image, out any) image.Image {
	return annotate.Detections(img, out.([]results.Detection), annotate.Options{})
}

type classifier struct{ *models.Classifier }

func (classifier) task() models.Task { return models.TaskClassify }
func (c classifier) labels() int     { return len(c.Labels()) }
func (c classifier) close() error    { return c.Close() }
func (c classifier) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return c.Classify(ctx, img, o.Top)
}
func (classifier) draw(img image.Image, out any) image.Image {
	return annotate.Classifications(img, out.([]results.Classification), annotate.Options{})
}
