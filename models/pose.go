package models

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/pose"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
)

// Defaults and limits of a pose query. The pose count and NMS radius are TensorFlow.js
// posenet's estimateMultiplePoses defaults; the score is the threshold Coral built into the
// PoseNet graph's decoder, which like MinScore applies to root parts and to whole poses.
const (
	DefaultMaxPoses     = 5
	DefaultPoseMinScore = 0.2
	DefaultNMSRadius    = 20
	// MaxPosesLimit bounds what a caller may ask for.
	MaxPosesLimit = 20
)

// PoseQuery selects the poses a caller wants.
type PoseQuery struct {
	// Multi finds every person (PoseNet's multi-pose decoding) instead of the single best
	// pose. MoveNet SinglePose cannot.
	Multi bool
	// MaxPoses is the most poses a multi-pose query returns; 0 means DefaultMaxPoses.
	MaxPoses int
	// MinScore, 0..1, drops poses scoring below it; in multi-pose decoding it is also the
	// lowest heatmap score a part needs to start a pose (TensorFlow.js scoreThreshold). 0 means
	// DefaultPoseMinScore; use a tiny positive value to keep every pose.
	MinScore float64
	// NMSRadius is how close, in pixels of the model's input, a part may come to the same
	// part of a better pose in multi-pose decoding; 0 means DefaultNMSRadius.
	NMSRadius float64
}

// resolve fills in q's defaults and checks its ranges.
func (q PoseQuery) resolve() (PoseQuery, error) {
	if q.MaxPoses == 0 {
		q.MaxPoses = DefaultMaxPoses
	}
	if q.MinScore == 0 {
		q.MinScore = DefaultPoseMinScore
	}
	if q.NMSRadius == 0 {
		q.NMSRadius = DefaultNMSRadius
	}
	switch {
	case q.MaxPoses < 1 || q.MaxPoses > MaxPosesLimit:
		return q, fmt.Errorf("%w: max_poses must be between 1 and %d, got %d", ErrBadOption, MaxPosesLimit, q.MaxPoses)
	case !(q.MinScore >= 0 && q.MinScore <= 1):
		return q, fmt.Errorf("%w: min_score must be between 0 and 1, got %v", ErrBadOption, q.MinScore)
	case !(q.NMSRadius > 0) || math.IsInf(q.NMSRadius, 1):
		return q, fmt.Errorf("%w: nms_radius must be a positive number of pixels, got %v", ErrBadOption, q.NMSRadius)
	}
	return q, nil
}

// poseDecoder turns a pose model's outputs into poses in pixels of the model's input.
type poseDecoder interface {
	decode(out []inference.Tensor, q PoseQuery) ([]pose.Pose, error)
	// multiPose reports whether the model can find several people.
	multiPose() bool
}

// PoseEstimator finds body keypoints: PoseNet (one or many people) or MoveNet SinglePose.
type PoseEstimator struct {
	name string
	g    *graph
	dec  poseDecoder
}

// NewPoseEstimator loads a pose model of the catalog from the store. A graph ending in
// Coral's PosenetDecoderOp is decoded as PoseNet; one with a single [1,1,17,3] output as MoveNet.
func NewPoseEstimator(o LoadOptions, m catalog.Model) (*PoseEstimator, error) {
	if m.Task != catalog.TaskPose || len(m.Graphs) != 1 {
		return nil, fmt.Errorf("%w: %s is a %s model, not a pose model", ErrBadModel, m.Name, m.Task)
	}
	g, err := openGraph(o, m.Graphs[0], m)
	if err != nil {
		return nil, err
	}
	dec, err := newPoseDecoder(g)
	if err != nil {
		g.close()
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return &PoseEstimator{name: m.Name, g: g, dec: dec}, nil
}

// newPoseDecoder picks the decoder that fits g's outputs.
func newPoseDecoder(g *graph) (poseDecoder, error) {
	for _, op := range g.custom {
		if op.Code == posenetDecoderOp {
			return newPosenetDecoder(g, op)
		}
	}
	outs := g.sess.Outputs()
	if len(outs) == 1 && outs[0].Elements() == pose.MoveNetValues {
		return movenetDecoder{width: g.layout.Width, height: g.layout.Height}, nil
	}
	return nil, fmt.Errorf("%w: outputs %v are neither PoseNet's maps nor MoveNet's [1,1,17,3] keypoints", ErrBadModel, outs)
}

// Name is the model's catalog name.
func (e *PoseEstimator) Name() string { return e.name }

// InputSize is the model's input size: an image needs no more pixels than this for full
// accuracy (see preprocess.DecodeAtLeast).
func (e *PoseEstimator) InputSize() (w, h int) { return e.g.layout.Width, e.g.layout.Height }

// Close releases the model.
func (e *PoseEstimator) Close() error { return e.g.close() }

// Estimate finds the poses of the people in img, best score first; keypoints are in pixels
// of img and may lie outside it when the model places a hidden part beyond the border.
func (e *PoseEstimator) Estimate(ctx context.Context, img image.Image, q PoseQuery) ([]results.Pose, Timings, error) {
	var t Timings
	q, err := q.resolve()
	if err != nil {
		return nil, t, err
	}
	if q.Multi && !e.dec.multiPose() {
		return nil, t, fmt.Errorf("%w: %s finds a single pose; use posenet for several people", ErrBadOption, e.name)
	}
	out, tr, release, err := e.g.run(ctx, img, &t)
	if err != nil {
		return nil, t, err
	}
	defer release()
	sw := startStopwatch()
	poses, err := e.dec.decode(out, q)
	if err != nil {
		return nil, t, err
	}
	res := make([]results.Pose, 0, len(poses))
	for _, p := range poses {
		if p.Score >= q.MinScore {
			res = append(res, sourcePose(p, tr))
		}
	}
	t.Postprocess = sw.lap()
	return res, t, nil
}

// sourcePose maps p from the model's input to the source image, in the TensorFlow.js shape.
func sourcePose(p pose.Pose, tr preprocess.Transform) results.Pose {
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	res := results.Pose{Score: p.Score, Keypoints: make([]results.Keypoint, pose.NumParts)}
	for part, k := range p.Keypoints {
		x, y := tr.ToSource(k.X, k.Y)
		res.Keypoints[part] = results.Keypoint{
			Part:     pose.PartNames[part],
			Position: results.Point{X: round(x), Y: round(y)},
			Score:    k.Score,
		}
	}
	return res
}

// movenetDecoder reads MoveNet SinglePose's one output.
type movenetDecoder struct{ width, height int }

func (movenetDecoder) multiPose() bool { return false }

func (d movenetDecoder) decode(out []inference.Tensor, _ PoseQuery) ([]pose.Pose, error) {
	p, err := pose.DecodeMoveNet(out[0].Data.([]float32), d.width, d.height)
	if err != nil {
		return nil, err
	}
	return []pose.Pose{p}, nil
}
