package models

import (
	"fmt"
	"math"

	"github.com/visiond/visiond/inference"
	"github.com/visiond/visiond/inference/convert"
	"github.com/visiond/visiond/models/pose"
)

// posenetDecoderOp is Coral's custom operator that ends the PoseNet graph. The converter
// leaves it out; its three computed inputs (heatmaps, short offsets, mid offsets) become graph
// outputs, which posenetDecoder decodes in Go. The operator's own thresholds are not used:
// queries choose them.
//
// In the .tflite file those three tensors are uint8 (heatmaps scale 0.0878, zero point 194;
// offsets 0.799, 139; mid offsets 1.636, 113), but every graph output the converter makes is
// float32 (computed in float, or dequantised in QDQ mode), so nothing is left to dequantise.
const posenetDecoderOp = "PosenetDecoderOp"

// posenetDecoder knows which session outputs hold PoseNet's maps and how the grid lies on
// the input.
type posenetDecoder struct {
	heatmaps, offsets, displacements int // session output indices
	height, width, stride            int
}

// newPosenetDecoder finds op's three inputs among g's outputs, checks their shapes
// ([1,H,W,17], [1,H,W,34], [1,H,W,64]) and derives the stride from the input size, which
// PoseNet makes (H-1)*stride+1 by (W-1)*stride+1 pixels.
func newPosenetDecoder(g *graph, op convert.CustomOp) (*posenetDecoder, error) {
	if len(op.Inputs) != 3 {
		return nil, fmt.Errorf("%w: %s has %d inputs, want 3", ErrBadModel, posenetDecoderOp, len(op.Inputs))
	}
	d := &posenetDecoder{}
	idx := []*int{&d.heatmaps, &d.offsets, &d.displacements}
	channels := []int64{pose.NumParts, 2 * pose.NumParts, 4 * pose.NumEdges}
	outs := g.sess.Outputs()
	for k, in := range op.Inputs {
		i := outputIndex(outs, in.Output)
		if i < 0 {
			return nil, fmt.Errorf("%w: %s input %q is not a graph output", ErrBadModel, posenetDecoderOp, in.Output)
		}
		s := outs[i].Shape
		fits := len(s) == 4 && s[0] == 1 && s[1] >= 2 && s[2] >= 2 && s[3] == channels[k]
		if !fits || (k > 0 && (int(s[1]) != d.height || int(s[2]) != d.width)) {
			return nil, fmt.Errorf("%w: %s input %s has shape %v, want [1,H,W,%d] like the heatmaps",
				ErrBadModel, posenetDecoderOp, in.Output, s, channels[k])
		}
		*idx[k], d.height, d.width = i, int(s[1]), int(s[2])
	}
	d.stride = (g.layout.Height - 1) / (d.height - 1)
	if (d.height-1)*d.stride+1 != g.layout.Height || (d.width-1)*d.stride+1 != g.layout.Width {
		return nil, fmt.Errorf("%w: a %dx%d grid does not fit the %dx%d input at any stride",
			ErrBadModel, d.width, d.height, g.layout.Width, g.layout.Height)
	}
	return d, nil
}

// outputIndex is the index of the output called name, or -1.
func outputIndex(outs []inference.TensorInfo, name string) int {
	for i, o := range outs {
		if o.Name == name {
			return i
		}
	}
	return -1
}

func (*posenetDecoder) multiPose() bool { return true }

// decode turns the heatmaps into probabilities, in place in the output buffer, and runs the
// decoder the query asks for. PoseNet's heatmaps are logits, as in TensorFlow.js posenet,
// which applies a sigmoid: this graph gives values from about -17 to 5.4.
func (d *posenetDecoder) decode(out []inference.Tensor, q PoseQuery) ([]pose.Pose, error) {
	heat := out[d.heatmaps].Data.([]float32)
	for i, v := range heat {
		heat[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	m := pose.Maps{
		Height: d.height, Width: d.width, Stride: d.stride,
		Heatmaps:      heat,
		Offsets:       out[d.offsets].Data.([]float32),
		Displacements: out[d.displacements].Data.([]float32),
	}
	if !q.Multi {
		p, err := pose.DecodeSingle(m)
		if err != nil {
			return nil, err
		}
		return []pose.Pose{p}, nil
	}
	return pose.DecodeMultiple(m, pose.MultiOptions{
		MaxPoses: q.MaxPoses, ScoreThreshold: q.MinScore, MinPoseScore: q.MinScore, NMSRadius: q.NMSRadius,
	})
}
