package annotate

import (
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// parsedFont is Go Bold, parsed once and shared; faces made from it are per call because
// an opentype.Face is not safe for concurrent use.
var parsedFont = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(gobold.TTF)
})

// newFace returns Go Bold at size pixels, or a fixed bitmap font should that ever fail.
func newFace(size float64) font.Face {
	f, err := parsedFont()
	if err == nil {
		var face font.Face
		face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err == nil {
			return face
		}
	}
	return basicfont.Face7x13
}

// writer lays out single-line captions in one face.
type writer struct {
	face                font.Face
	ascent, height, pad int // pad is the margin between a caption's edge and its text
}

// newWriter makes a writer for text of size pixels.
func newWriter(size float64) *writer {
	face := newFace(size)
	m := face.Metrics()
	return &writer{
		face:   face,
		ascent: m.Ascent.Ceil(),
		height: m.Ascent.Ceil() + m.Descent.Ceil(),
		pad:    max(3, int(size/5+0.5)),
	}
}

// close releases the face.
func (w *writer) close() { w.face.Close() }

// fit returns s, shortened with an ellipsis if needed so it is at most maxW pixels wide,
// and its width.
func (w *writer) fit(s string, maxW int) (string, int) {
	width := font.MeasureString(w.face, s).Ceil()
	if width <= maxW {
		return s, width
	}
	runes := []rune(s)
	// No glyph is narrower than a pixel, so at most maxW runes can fit.
	for n := min(len(runes)-1, maxW); n >= 0; n-- {
		t := string(runes[:n]) + "…"
		if width = font.MeasureString(w.face, t).Ceil(); width <= maxW {
			return t, width
		}
	}
	return "", 0
}

// caption draws s on a filled box of colour bg whose top-left corner is at (x, y); the
// text is black or white, whichever reads better on bg.
func (c *canvas) caption(w *writer, s string, x, y, textW int, bg color.RGBA) {
	c.fill(image.Rect(x, y, x+textW+2*w.pad, y+w.height+2*w.pad), bg)
	c.text(w, s, x+w.pad, y+w.pad, textColor(bg))
}

// text draws s with its top-left corner at (x, y).
func (c *canvas) text(w *writer, s string, x, y int, col color.RGBA) {
	d := font.Drawer{
		Dst:  c.img,
		Src:  image.NewUniform(col),
		Face: w.face,
		Dot:  fixed.P(x, y+w.ascent),
	}
	d.DrawString(s)
}
