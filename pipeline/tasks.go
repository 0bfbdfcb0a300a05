package pipeline

import (
	"context"
	"fmt"
	"image"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// Task describes one kind of work visiond does, for every entrance: the HTTP route
// /v1/<Name>, the CLI command `visiond <Name>`, MQTT routes. A task is added here, in one
// place: its entry in tasks, with the options it reads and how its models open.
type Task struct {
	// Name is the task, as routes, commands and model catalogs name it.
	Name catalog.Task
	// Summary says in a few words what the task finds, for help texts.
	Summary string
	// Options are the Options fields the task reads, with what each means for it.
	Options []OptionHelp
	// Draws says what an annotated image shows; empty when the task draws nothing of its own.
	Draws string
	// open loads a model of the task.
	open func(models.LoadOptions, catalog.Model) (runner, error)
}

// OptionHelp is one option a task reads (an Options field by its wire name) and its meaning.
type OptionHelp struct {
	Name, Usage string
}

// runner is one loaded model behind the task-independent face the pipeline needs.
type runner interface {
	// labels is the number of classes the model names (0 when it names none).
	labels() int
	// InputSize is the most pixels an image needs in each direction for full accuracy.
	InputSize() (w, h int)
	run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error)
	draw(img image.Image, out any, o annotate.Options) image.Image
	Close() error
}

// tasks are the tasks visiond serves.
var tasks = []Task{
	{
		Name: catalog.TaskDetect, Summary: "find objects with boxes (COCO-SSD)", Draws: "boxes",
		Options: []OptionHelp{
			{"min_score", fmt.Sprintf("drop detections scoring below this, 0..1 (default %g; 0 keeps everything)", models.DefaultMinScore)},
			{"max", fmt.Sprintf("most detections per image (default %d)", models.DefaultMaxDetections)},
			{"classes", "keep only these labels, comma-separated, e.g. person,car (default: all)"},
		},
		open: func(o models.LoadOptions, m catalog.Model) (runner, error) {
			d, err := models.NewDetector(o, m)
			return detector{d}, err
		},
	},
	{
		Name: catalog.TaskClassify, Summary: "name what each image shows (MobileNet)", Draws: "the top classes",
		Options: []OptionHelp{
			{"top", fmt.Sprintf("number of classes per image (default %d)", models.DefaultTop)},
		},
		open: func(o models.LoadOptions, m catalog.Model) (runner, error) {
			c, err := models.NewClassifier(o, m)
			return classifier{c}, err
		},
	},
	{
		Name: catalog.TaskPose, Summary: "find body keypoints (PoseNet, MoveNet)", Draws: "skeletons",
		Options: []OptionHelp{
			{"multi", "find every person (posenet only), not just the best pose"},
			{"max", fmt.Sprintf("most poses per image with multi (default %d)", models.DefaultMaxPoses)},
			{"min_score", fmt.Sprintf("drop poses scoring below this, 0..1 (default %g); with multi also the least score of a part that starts a pose", models.DefaultPoseMinScore)},
			{"nms_radius", fmt.Sprintf("with multi, how close (in model-input pixels) a part may come to the same part of a better pose (default %d)", models.DefaultNMSRadius)},
		},
		open: func(o models.LoadOptions, m catalog.Model) (runner, error) {
			e, err := models.NewPoseEstimator(o, m)
			return poseEstimator{e}, err
		},
	},
	{
		Name: catalog.TaskHands, Summary: "find hands and their 21 landmarks (MediaPipe)", Draws: "hand skeletons",
		Options: []OptionHelp{
			{"max", fmt.Sprintf("most hands per image, 1..%d (default %d)", models.MaxHandsLimit, models.DefaultMaxHands)},
			{"min_score", fmt.Sprintf("least palm score and hand presence a hand needs, 0..1 (default %g)", models.DefaultHandScore)},
		},
		open: func(o models.LoadOptions, m catalog.Model) (runner, error) {
			h, err := models.NewHandDetector(o, m)
			return handDetector{h}, err
		},
	},
}

// Tasks lists the tasks visiond serves, in the order of its help texts.
func Tasks() []Task { return tasks }

// LookupTask returns the task called name, or an error wrapping ErrUnknownTask.
func LookupTask(name catalog.Task) (Task, error) {
	for _, t := range tasks {
		if t.Name == name {
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("%w: %q", ErrUnknownTask, name)
}

type detector struct{ *models.Detector }

func (d detector) labels() int { return named(d.Labels()) }
func (d detector) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return d.Detect(ctx, img, models.DetectQuery{MinScore: o.MinScore, Max: o.Max, Classes: o.Classes})
}
func (detector) draw(img image.Image, out any, o annotate.Options) image.Image {
	return annotate.Detections(img, out.([]results.Detection), o)
}

type classifier struct{ *models.Classifier }

func (c classifier) labels() int { return named(c.Labels()) }
func (c classifier) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return c.Classify(ctx, img, o.Top)
}
func (classifier) draw(img image.Image, out any, o annotate.Options) image.Image {
	return annotate.Classifications(img, out.([]results.Classification), o)
}

type poseEstimator struct{ *models.PoseEstimator }

func (poseEstimator) labels() int { return 0 }
func (e poseEstimator) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return e.Estimate(ctx, img, models.PoseQuery{Multi: o.Multi, MaxPoses: o.Max, MinScore: o.MinScore, NMSRadius: o.NMSRadius})
}
func (poseEstimator) draw(img image.Image, out any, o annotate.Options) image.Image {
	return annotate.Poses(img, out.([]results.Pose), o)
}

type handDetector struct{ *models.HandDetector }

func (handDetector) labels() int { return 0 }
func (h handDetector) run(ctx context.Context, img image.Image, o Options) (any, models.Timings, error) {
	return h.Detect(ctx, img, models.HandQuery{MaxHands: o.Max, MinScore: o.MinScore})
}
func (handDetector) draw(img image.Image, out any, o annotate.Options) image.Image {
	return annotate.Hands(img, out.([]results.Hand), o)
}

// named counts the labels that name a class (COCO-SSD's 90 ids name 80 classes).
func named(labels []string) int {
	n := 0
	for _, l := range labels {
		if models.Named(l) {
			n++
		}
	}
	return n
}
