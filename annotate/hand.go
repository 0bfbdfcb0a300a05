package annotate

import (
	"image"
	"image/color"

	"github.com/visiond/visiond/models/results"
)

// fingers names the finger chains of a hand's Annotations, thumb first, with their colours.
var fingers = [...]struct {
	name  string
	color color.RGBA
}{
	{"thumb", color.RGBA{0xFF, 0x38, 0x38, 0xFF}},
	{"indexFinger", color.RGBA{0xFF, 0xB2, 0x1D, 0xFF}},
	{"middleFinger", color.RGBA{0x48, 0xF9, 0x0A, 0xFF}},
	{"ringFinger", color.RGBA{0x00, 0xC2, 0xFF, 0xFF}},
	{"pinky", color.RGBA{0xCB, 0x38, 0xFF, 0xFF}},
}

// Hands returns a copy of img with each hand's skeleton: every finger as a chain of lines
// from the palm base through its landmarks (one colour per finger), and a white dot on each
// of the 21 landmarks.
func Hands(img image.Image, hands []results.Hand, o Options) *image.RGBA {
	c := newCanvas(img, o)
	for _, h := range hands {
		palm, hasPalm := [3]float64{}, len(h.Annotations["palmBase"]) > 0
		if hasPalm {
			palm = h.Annotations["palmBase"][0]
		}
		for _, f := range fingers {
			prev, hasPrev := palm, hasPalm
			for _, p := range h.Annotations[f.name] {
				if hasPrev {
					c.line(prev[0], prev[1], p[0], p[1], c.lineWidth, f.color)
				}
				prev, hasPrev = p, true
			}
		}
		for _, p := range h.Landmarks {
			c.dot(p[0], p[1], c.lineWidth, white)
		}
	}
	return c.img
}
