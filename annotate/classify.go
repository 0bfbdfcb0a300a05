package annotate

import (
	"image"
	"strconv"

	"github.com/visiond/visiond/models/results"
)

// Classifications returns a copy of img with a caption block in its top-left corner listing
// the classes in the given order, one "className 0.91" per line, white on translucent black.
// Lines that do not fit the image height are left out; long names are shortened.
func Classifications(img image.Image, cls []results.Classification, o Options) *image.RGBA {
	c := newCanvas(img, o)
	if c.w == 0 || c.h == 0 || len(cls) == 0 {
		return c.img
	}
	w := newWriter(c.fontSize)
	defer w.close()
	margin := int(c.lineWidth + 0.5)
	lineH := w.height + w.pad
	texts := make([]string, 0, len(cls))
	blockW := 0
	for _, cl := range cls {
		if margin+(len(texts)+1)*lineH+w.pad > c.h {
			break
		}
		text, textW := w.fit(cl.ClassName+" "+strconv.FormatFloat(cl.Probability, 'f', 2, 64), c.w-2*margin-2*w.pad)
		texts = append(texts, text)
		blockW = max(blockW, textW)
	}
	if len(texts) == 0 {
		return c.img
	}
	c.fill(image.Rect(margin, margin, margin+blockW+2*w.pad, margin+len(texts)*lineH+w.pad), shade)
	for i, text := range texts {
		c.text(w, text, margin+w.pad, margin+w.pad+i*lineH, white)
	}
	return c.img
}
