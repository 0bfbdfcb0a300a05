package palm

import "math"

// Anchor is the centre of one SSD anchor in normalised input coordinates. The palm model
// uses fixed-size anchors (width and height 1), so a centre is all an anchor has.
type Anchor struct {
	X, Y float64
}

// AnchorOptions are the options of MediaPipe's SsdAnchorsCalculator that matter for
// fixed-size anchors.
type AnchorOptions struct {
	// InputWidth and InputHeight are the model's input size in pixels.
	InputWidth, InputHeight int
	// Strides are the strides of the feature maps, one per layer. Consecutive layers with
	// the same stride share one grid, their anchors interleaved per cell.
	Strides []int
	// PerLayer is the number of anchors each layer puts on each cell: one per aspect ratio,
	// plus the interpolated-scale anchor.
	PerLayer int
	// OffsetX and OffsetY place an anchor inside its cell, in cells (0.5 is the centre).
	OffsetX, OffsetY float64
}

// LiteAnchors are the anchor options of palm_detection_lite in palm_detection_cpu.pbtxt: a
// 192x192 input, 4 layers with strides 8, 16, 16 and 16, aspect ratio 1 plus the interpolated
// anchor (default interpolated_scale_aspect_ratio 1), fixed size, offset 0.5. They give 2016
// anchors: 24x24 cells with 2 anchors, then 12x12 cells with 6.
var LiteAnchors = AnchorOptions{
	InputWidth: 192, InputHeight: 192,
	Strides:  []int{8, 16, 16, 16},
	PerLayer: 2,
	OffsetX:  0.5, OffsetY: 0.5,
}

// Anchors generates the anchors in the order the model's outputs use: layer group by layer
// group, then row by row, cell by cell, and the anchors of a cell one after the other.
func Anchors(o AnchorOptions) []Anchor {
	var out []Anchor
	for layer := 0; layer < len(o.Strides); {
		stride := o.Strides[layer]
		same := layer
		for same < len(o.Strides) && o.Strides[same] == stride {
			same++
		}
		perCell := (same - layer) * o.PerLayer
		rows := int(math.Ceil(float64(o.InputHeight) / float64(stride)))
		cols := int(math.Ceil(float64(o.InputWidth) / float64(stride)))
		for y := range rows {
			for x := range cols {
				a := Anchor{X: (float64(x) + o.OffsetX) / float64(cols), Y: (float64(y) + o.OffsetY) / float64(rows)}
				for range perCell {
					out = append(out, a)
				}
			}
		}
		layer = same
	}
	return out
}
