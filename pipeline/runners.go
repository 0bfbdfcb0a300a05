package pipeline

import (
	"context"
	"image"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// runner is one loaded model behind the task-independent face the pipeline needs.
type runner interface {
	task() catalog.Task
	// labels is the number of classes the model names (0 when it names none).
	labels() int
	// InputSize is the most pixels an image needs in each direction for full accuracy.
	InputSize() (w, h int)
	run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error)
	draw(img image.Image, out any) image.Image
	close() error
}

// loaders open a model of each task the pipeline serves.
var loaders = map[catalog.Task]func(models.LoadOptions, catalog.Model) (runner, error){
	catalog.TaskDetect: func(o models.LoadOptions, m catalog.Model) (runner, error) {
		d, err := models.NewDetector(o, m)
		return detector{d}, err
	},
	catalog.TaskClassify: func(o models.LoadOptions, m catalog.Model) (runner, error) {
		c, err := models.NewClassifier(o, m)
		return classifier{c}, err
	},
	catalog.TaskPose: func(o models.LoadOptions, m catalog.Model) (runner, error) {
		e, err := models.NewPoseEstimator(o, m)
		return poseEstimator{e}, err
	},
	catalog.TaskHands: func(o models.LoadOptions, m catalog.Model) (runner, error) {
		h, err := models.NewHandDetector(o, m)
		return handDetector{h}, err
	},
}

type detector struct{ *models.Detector }

func (detector) task() catalog.Task { return catalog.TaskDetect }
func (d detector) labels() int      { return len(d.Labels()) }
func (d detector) close() error     { return d.Close() }
func (d detector) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return d.Detect(ctx, img, models.DetectQuery{MinScore: o.MinScore, Max: o.Max, Classes: o.Classes})
}
func (detector) draw(img image.Image, out any) image.Image {
	return annotate.Detections(img, out.([]results.Detection), annotate.Options{})
}

type classifier struct{ *models.Classifier }

func (classifier) task() catalog.Task { return catalog.TaskClassify }
func (c classifier) labels() int      { return len(c.Labels()) }
func (c classifier) close() error     { return c.Close() }
func (c classifier) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return c.Classify(ctx, img, o.Top)
}
func (classifier) draw(img image.Image, out any) image.Image {
	return annotate.Classifications(img, out.([]results.Classification), annotate.Options{})
}

type poseEstimator struct{ *models.PoseEstimator }

func (poseEstimator) task() catalog.Task { return catalog.TaskPose }
func (poseEstimator) labels() int        { return 0 }
func (e poseEstimator) close() error     { return e.Close() }
func (e poseEstimator) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return e.Estimate(ctx, img, models.PoseQuery{Multi: o.Multi, MaxPoses: o.Max, MinScore: o.MinScore})
}
func (poseEstimator) draw(img image.Image, out any) image.Image {
	return annotate.Poses(img, out.([]results.Pose), annotate.Options{})
}

type handDetector struct{ *models.HandDetector }

func (handDetector) task() catalog.Task { return catalog.TaskHands }
func (handDetector) labels() int        { return 0 }
func (h handDetector) close() error     { return h.Close() }
func (h handDetector) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return h.Detect(ctx, img, models.HandQuery{MaxHands: o.Max, MinScore: o.MinScore})
}
func (handDetector) draw(img image.Image, out any) image.Image {
	return annotate.Hands(img, out.([]results.Hand), annotate.Options{})
}
