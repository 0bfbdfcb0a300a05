package models

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"
	"sort"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
)

// DefaultTop is how many classes Classify returns when asked for 0, as TensorFlow.js mobilenet.
const DefaultTop = 3

// Classifier names what an image shows (ImageNet classes, or those of a model's card).
type Classifier struct {
	name   string
	g      *graph
	labels []string // labels[class]; "" for a class never reported
	named  int      // how many classes have a label
}

// NewClassifier loads a classification model from the store: one output of a score per
// class, logits or probabilities.
func NewClassifier(o LoadOptions, m catalog.Model) (*Classifier, error) {
	if m.Task != catalog.TaskClassify || len(m.Graphs) != 1 {
		return nil, fmt.Errorf("%w: %s is a %s model, not a classifier", ErrBadModel, m.Name, m.Task)
	}
	g, err := openGraph(o, m.Graphs[0], m)
	if err != nil {
		return nil, err
	}
	outs := g.sess.Outputs()
	if len(outs) != 1 || outs[0].Elements() < 2 || outs[0].DType != inference.Float32 {
		g.close()
		return nil, fmt.Errorf("%w: %s: output.decoder: %s wants one float32 output of a score per class, the model has %v", ErrBadModel, m.Name, catalog.DecodeClassifier, outs)
	}
	labels, err := classLabels(o, m, outs[0].Elements())
	if err != nil {
		g.close()
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	if m.Background {
		labels[0] = ""
	}
	c := &Classifier{name: m.Name, g: g, labels: labels}
	for _, l := range labels {
		if l != "" {
			c.named++
		}
	}
	return c, nil
}

// Name is the model's catalog name.
func (c *Classifier) Name() string { return c.name }

// InputSize is the model's input size: an image needs no more pixels than this for full
// accuracy (see preprocess.DecodeAtLeast).
func (c *Classifier) InputSize() (w, h int) { return c.g.layout.Width, c.g.layout.Height }

// Labels are the class names, in the model's order.
func (c *Classifier) Labels() []string { return c.labels }

// Close releases the model.
func (c *Classifier) Close() error { return c.g.close() }

// Classify returns the top classes of img, most probable first. top 0 means DefaultTop.
func (c *Classifier) Classify(ctx context.Context, img image.Image, top int) ([]results.Classification, Timings, error) {
	var t Timings
	if top < 0 || top > c.named {
		return nil, t, fmt.Errorf("%w: top must be between 1 and %d, got %d", ErrBadOption, c.named, top)
	}
	if top == 0 {
		top = DefaultTop
	}
	out, _, release, err := c.g.run(ctx, img, &t)
	if err != nil {
		return nil, t, err
	}
	defer release()
	sw := startStopwatch()
	probs := probabilities(out[0].Data.([]float32))
	res := topK(probs, c.labels, top)
	t.Postprocess = sw.lap()
	return res, t, nil
}

// probabilities returns scores as probabilities: as they are when the graph already ends in
// a softmax (all in [0,1], summing to 1), else their softmax.
func probabilities(scores []float32) []float64 {
	p := make([]float64, len(scores))
	sum, maxv, isDist := 0.0, math.Inf(-1), true
	for i, s := range scores {
		p[i] = float64(s)
		sum += p[i]
		maxv = math.Max(maxv, p[i])
		isDist = isDist && s >= 0 && s <= 1
	}
	if isDist && math.Abs(sum-1) < 0.02 {
		return p
	}
	sum = 0
	for i := range p {
		p[i] = math.Exp(p[i] - maxv)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// topK returns the k most probable classes that have a label, ties broken by lower index.
// It keeps a sorted list of the best k seen so far, which for the usual few classes is one
// pass over the scores.
func topK(p []float64, labels []string, k int) []results.Classification {
	k = min(k, len(p))
	top := make([]int, 0, k+1) // indices into p, most probable first
	for i, v := range p {
		if len(top) == k && v <= p[top[k-1]] || labels[i] == "" {
			continue
		}
		j := sort.Search(len(top), func(j int) bool { return p[top[j]] < v })
		top = slices.Insert(top, j, i)[:min(len(top)+1, k)]
	}
	out := make([]results.Classification, 0, k)
	for _, i := range top {
		out = append(out, results.Classification{ClassName: labels[i], Probability: p[i]})
	}
	return out
}
