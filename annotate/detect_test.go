package annotate

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/visiond/visiond/models/results"
)

func TestDetectionsBoxOutline(t *testing.T) {
	src := solid(400, 300, bg)
	dog := classColor("dog")
	// A 4 px stroke centred on the box edges x 100..250, y 120..220 covers 98..102 and 248..252.
	img := Detections(src, []results.Detection{{BBox: [4]float64{100, 120, 150, 100}, Class: "dog", Score: 0.91}}, Options{LineWidth: 4})
	keep(t, "box_outline", img)

	for _, p := range []image.Point{{98, 170}, {101, 170}, {248, 170}, {251, 170}, {175, 118}, {175, 121}, {175, 218}, {175, 221}} {
		expectColor(t, img, p.X, p.Y, dog, "outline")
	}
	for _, p := range []image.Point{{97, 170}, {103, 170}, {175, 170}, {247, 170}, {252, 170}, {175, 222}, {175, 122}} {
		expectColor(t, img, p.X, p.Y, bg, "off the outline")
	}
	// The caption sits on the outline's top edge: mostly label colour (the rest is text).
	if n := count(img, image.Rect(98, 108, 140, 118), dog); n < 42*10/2 {
		t.Errorf("caption above the box: %d label-coloured pixels, want most of 420", n)
	}
	if n := count(img, image.Rect(103, 123, 247, 217), bg); n != 144*94 {
		t.Errorf("box interior: %d pixels unchanged, want all %d", n, 144*94)
	}
	if src.RGBAAt(100, 170) != bg {
		t.Error("the input image was modified")
	}
}

func TestDetectionsCaptionInsideWhenBoxTouchesTop(t *testing.T) {
	img := Detections(solid(400, 300, bg), []results.Detection{{BBox: [4]float64{100, 0, 150, 100}, Class: "cat", Score: 0.5}}, Options{LineWidth: 4})
	keep(t, "caption_inside", img)
	w := newWriter(11)
	defer w.close()
	capH := w.height + 2*w.pad
	// Inside the box, under the top band, the caption covers the rows down to capH.
	inside := image.Rect(103, 3, 140, capH)
	if n := count(img, inside, classColor("cat")); n < inside.Dx()*inside.Dy()/2 {
		t.Errorf("caption inside the box top: %d label-coloured pixels of %d", n, inside.Dx()*inside.Dy())
	}
	expectColor(t, img, 120, capH+2, bg, "below the caption")
}

func TestDetectionsCaptionStaysInsideRightEdge(t *testing.T) {
	const label = "refrigerator"
	det := results.Detection{BBox: [4]float64{340, 100, 60, 80}, Class: label, Score: 0.87}
	img := Detections(solid(400, 300, bg), []results.Detection{det}, Options{LineWidth: 4})
	keep(t, "caption_right_edge", img)
	w := newWriter(11)
	defer w.close()
	_, textW := w.fit(label+" 0.87", 400)
	capW := textW + 2*w.pad
	row := 97 // the caption's bottom padding, just above the outline (outer top 98)
	col := classColor(label)
	expectColor(t, img, 399, row, col, "caption's right end")
	expectColor(t, img, 400-capW, row, col, "caption's left end")
	expectColor(t, img, 400-capW-1, row, bg, "left of the caption")
}

func TestDetectionsSkipsBadCoordinates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	bad := []results.Detection{
		{BBox: [4]float64{nan, 10, 50, 50}, Class: "a"},
		{BBox: [4]float64{10, inf, 50, 50}, Class: "a"},
		{BBox: [4]float64{10, 10, math.Inf(-1), 50}, Class: "a"},
		{BBox: [4]float64{10, 10, 50, 1e300}, Class: "a"},
		{BBox: [4]float64{-5000, -5000, 100, 100}, Class: "a"}, // wholly outside
		{BBox: [4]float64{400, 100, 100, 100}, Class: "a"},     // wholly outside, right
	}
	img := Detections(solid(320, 240, bg), bad, Options{LineWidth: 4})
	if n := count(img, img.Rect, bg); n != 320*240 {
		t.Errorf("%d pixels changed; unusable or invisible boxes must draw nothing", 320*240-n)
	}
	for _, o := range []Options{{LineWidth: nan, FontSize: inf}, {LineWidth: 1e300, FontSize: 1e300}, {LineWidth: -1, FontSize: -1}} {
		Detections(solid(64, 48, bg), bad, o)
	}
	Detections(image.NewRGBA(image.Rectangle{}), bad, Options{})
	Detections(nil, bad, Options{})
}

func TestDetectionsClipsBoxPartlyOutside(t *testing.T) {
	dets := []results.Detection{{BBox: [4]float64{-50, 150, 100, 100}, Class: "dog", Score: 0.75}}
	img := Detections(solid(320, 240, bg), dets, Options{LineWidth: 4})
	keep(t, "clipped", img)
	// The right edge (x 50) and top (y 150) show; the left and bottom edges lie outside.
	expectColor(t, img, 50, 200, classColor("dog"), "right edge")
	expectColor(t, img, 20, 150, classColor("dog"), "top edge")
	expectColor(t, img, 0, 200, bg, "inside the box at the image's left border")
	// The caption starts at the image's left border, just above the top edge.
	expectColor(t, img, 0, 147, classColor("dog"), "caption")
}

func TestDetectionsDrawsEveryBox(t *testing.T) {
	var dets []results.Detection
	want := map[color.RGBA]bool{}
	for i := range 40 {
		class := fmt.Sprintf("class%02d", i)
		x, y := float64(20+(i%8)*95), float64(60+(i/8)*110)
		dets = append(dets, results.Detection{BBox: [4]float64{x, y, 60, 50}, Class: class, Score: 0.5})
		want[classColor(class)] = true
	}
	img := Detections(solid(800, 640, bg), dets, Options{LineWidth: 4})
	keep(t, "many_boxes", img)
	got := map[color.RGBA]bool{}
	for _, d := range dets {
		// The middle of the right edge: no caption reaches it.
		c := img.RGBAAt(int(d.BBox[0]+d.BBox[2]), int(d.BBox[1]+d.BBox[3]/2))
		if c != classColor(d.Class) {
			t.Errorf("%s: right edge is %v, want %v", d.Class, c, classColor(d.Class))
		}
		got[c] = true
	}
	if len(got) != len(want) || len(want) < 15 {
		t.Errorf("%d distinct outline colours, want %d (of 20)", len(got), len(want))
	}
}

func TestDetectionsScaleWithImage(t *testing.T) {
	// stroke measures the left edge's width and the caption's height of one box covering the
	// middle half of a w×h image, drawn with default options.
	stroke := func(w, h int) (line, caption int) {
		x0, y0 := w/4, h/4
		img := Detections(solid(w, h, bg), []results.Detection{{BBox: [4]float64{float64(x0), float64(y0), float64(w / 2), float64(h / 2)}, Class: "dog", Score: 0.9}}, Options{})
		keep(t, fmt.Sprintf("scale_%dx%d", w, h), img)
		col := classColor("dog")
		line = count(img, image.Rect(x0-20, h/2, x0+20, h/2+1), col)
		caption = count(img, image.Rect(x0+1, y0-200, x0+2, y0), col)
		return line, caption
	}
	smallLine, smallCap := stroke(320, 240)
	bigLine, bigCap := stroke(3840, 2160)
	if smallLine != 2 || bigLine != 7 {
		t.Errorf("line widths %d px on 320×240 and %d px on 3840×2160, want 2 and 7", smallLine, bigLine)
	}
	if bigCap < 3*smallCap {
		t.Errorf("caption heights %d px on 320×240 and %d px on 3840×2160, want the big one ≥ 3× taller", smallCap, bigCap)
	}
}

func TestDetectionsShortenLongCaptions(t *testing.T) {
	det := results.Detection{BBox: [4]float64{10, 40, 60, 40}, Class: "a class name far too long for the image", Score: 0.5}
	img := Detections(solid(120, 100, bg), []results.Detection{det}, Options{LineWidth: 2})
	keep(t, "caption_shortened", img)
	// The caption spans nearly the whole width, shortened to fit and shifted left to end at
	// the border.
	row := 38 // the caption's bottom padding, just above the outline (outer top 39)
	expectColor(t, img, 119, row, classColor(det.Class), "caption's right end")
	if n := count(img, image.Rect(0, row, 120, row+1), classColor(det.Class)); n < 100 {
		t.Errorf("caption covers %d of 120 pixels of its bottom row, want nearly all", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	dets := []results.Detection{{BBox: [4]float64{10, 20, 100, 80}, Class: "dog", Score: 0.9}}
	want := Detections(solid(200, 150, bg), dets, Options{})
	done := make(chan *image.RGBA)
	for range 8 {
		go func() { done <- Detections(solid(200, 150, bg), dets, Options{}) }()
	}
	for range 8 {
		if got := <-done; !bytes.Equal(got.Pix, want.Pix) {
			t.Error("concurrent calls drew differently")
		}
	}
}
