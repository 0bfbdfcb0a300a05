package models

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"reflect"
	"testing"

	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/palm"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/models/results"
)

// handPoints are a hand's wrist and fingertips in pixels, read off a photo by eye.
type handPoints struct {
	wrist                             [2]float64
	thumb, index, middle, ring, pinky [2]float64
}

// hands.jpg (720x382): two backs of hands on white. Left, a hand with the fingers up and the
// thumb out to the right; its wrist is cut by the bottom edge, read where the hand narrows.
// Right, a hand hanging down from the top edge, thumb out to the left; its wrist is where the
// hand narrows just under the top edge. Fingertips are the middle of the nail end.
var handsPhoto = []handPoints{
	{wrist: [2]float64{125, 370}, thumb: [2]float64{330, 204}, index: [2]float64{256, 50},
		middle: [2]float64{185, 14}, ring: [2]float64{123, 34}, pinky: [2]float64{70, 86}},
	{wrist: [2]float64{598, 20}, thumb: [2]float64{388, 180}, index: [2]float64{462, 334},
		middle: [2]float64{535, 368}, ring: [2]float64{596, 346}, pinky: [2]float64{649, 296}},
}

// Tolerances in pixels: a fingertip landmark must sit on the fingertip (fingers are about
// 25 px wide); the wrist is hidden past the edge or not marked, so it is read less surely.
const (
	tipTolerance   = 18
	wristTolerance = 45
)

// testHandDetector loads the hands model from the shared models, closed when the test ends.
func testHandDetector(t testing.TB) *HandDetector {
	t.Helper()
	m, _ := catalog.Lookup("hands")
	h, err := NewHandDetector(LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Store(t, m.Name)}, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func dist(p [3]float64, q [2]float64) float64 { return math.Hypot(p[0]-q[0], p[1]-q[1]) }

// checkHand checks a hand's shape: 21 landmarks, the handpose annotations, a presence in
// [minScore, 1] and a bounding box around the landmarks.
func checkHand(t *testing.T, h results.Hand, minScore float64) {
	t.Helper()
	if len(h.Landmarks) != 21 {
		t.Fatalf("%d landmarks, want 21", len(h.Landmarks))
	}
	if h.HandInViewConfidence < minScore || h.HandInViewConfidence > 1 {
		t.Errorf("handInViewConfidence %v outside [%v, 1]", h.HandInViewConfidence, minScore)
	}
	for name, idx := range map[string][]int{"thumb": {1, 2, 3, 4}, "indexFinger": {5, 6, 7, 8}, "middleFinger": {9, 10, 11, 12},
		"ringFinger": {13, 14, 15, 16}, "pinky": {17, 18, 19, 20}, "palmBase": {0}} {
		chain := h.Annotations[name]
		if len(chain) != len(idx) {
			t.Errorf("annotation %s has %d points, want %d", name, len(chain), len(idx))
			continue
		}
		for k, i := range idx {
			if chain[k] != h.Landmarks[i] {
				t.Errorf("annotation %s[%d] = %v, want landmark %d %v", name, k, chain[k], i, h.Landmarks[i])
			}
		}
	}
	b := h.BoundingBox
	for i, p := range h.Landmarks {
		if p[0] < b.TopLeft[0] || p[0] > b.BottomRight[0] || p[1] < b.TopLeft[1] || p[1] > b.BottomRight[1] {
			t.Errorf("landmark %d %v outside the bounding box %+v", i, p, b)
		}
	}
}

// matchHands checks that each expected hand has a found hand with its wrist and fingertips
// within tolerance, and that there are no other hands.
func matchHands(t *testing.T, found []results.Hand, want []handPoints) {
	t.Helper()
	if len(found) != len(want) {
		t.Fatalf("%d hands found, want %d: %+v", len(found), len(want), found)
	}
	used := make([]bool, len(found))
	for w, hp := range want {
		best := -1
		for i, h := range found {
			if !used[i] && (best < 0 || dist(h.Landmarks[0], hp.wrist) < dist(found[best].Landmarks[0], hp.wrist)) {
				best = i
			}
		}
		used[best] = true
		h := found[best]
		checks := []struct {
			name  string
			got   [3]float64
			want  [2]float64
			toler float64
		}{
			{"wrist", h.Landmarks[0], hp.wrist, wristTolerance},
			{"thumb tip", h.Landmarks[4], hp.thumb, tipTolerance},
			{"index tip", h.Landmarks[8], hp.index, tipTolerance},
			{"middle tip", h.Landmarks[12], hp.middle, tipTolerance},
			{"ring tip", h.Landmarks[16], hp.ring, tipTolerance},
			{"pinky tip", h.Landmarks[20], hp.pinky, tipTolerance},
		}
		for _, c := range checks {
			if d := dist(c.got, c.want); d > c.toler {
				t.Errorf("hand %d %s at (%.0f, %.0f), %.0f px from (%.0f, %.0f), want within %.0f", w, c.name, c.got[0], c.got[1], d, c.want[0], c.want[1], c.toler)
			}
		}
	}
}

func TestHandsRealPhoto(t *testing.T) {
	h := testHandDetector(t)
	img := decodeImage(t, "hands.jpg")
	hands, tt, err := h.Detect(context.Background(), img, HandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, hand := range hands {
		checkHand(t, hand, DefaultHandScore)
	}
	matchHands(t, hands, handsPhoto)
	if tt.Inference <= 0 || tt.Preprocess <= 0 {
		t.Errorf("timings %+v miss a stage", tt)
	}
}

// rotated returns img turned a quarter clockwise: source pixel (x, y) goes to (H-1-y, x).
func rotated(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.Y-1-y, x-b.Min.X, img.At(x, y))
		}
	}
	return out
}

// TestHandsRotatedPhoto turns hands.jpg a quarter clockwise, so the hands point right and
// left: the hand-read points turn with it (continuous (x, y) goes to (382-y, x)).
func TestHandsRotatedPhoto(t *testing.T) {
	h := testHandDetector(t)
	img := rotated(decodeImage(t, "hands.jpg"))
	turn := func(p [2]float64) [2]float64 { return [2]float64{382 - p[1], p[0]} }
	var want []handPoints
	for _, hp := range handsPhoto {
		want = append(want, handPoints{wrist: turn(hp.wrist), thumb: turn(hp.thumb), index: turn(hp.index),
			middle: turn(hp.middle), ring: turn(hp.ring), pinky: turn(hp.pinky)})
	}
	hands, _, err := h.Detect(context.Background(), img, HandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	matchHands(t, hands, want)
}

// TestHandsSubImage: positions are relative to the image's Bounds().Min, as everywhere.
func TestHandsSubImage(t *testing.T) {
	h := testHandDetector(t)
	full := decodeImage(t, "hands.jpg").(interface {
		SubImage(image.Rectangle) image.Image
	})
	right := full.SubImage(image.Rect(360, 0, 720, 382))
	shift := func(p [2]float64) [2]float64 { return [2]float64{p[0] - 360, p[1]} }
	hp := handsPhoto[1]
	want := []handPoints{{wrist: shift(hp.wrist), thumb: shift(hp.thumb), index: shift(hp.index),
		middle: shift(hp.middle), ring: shift(hp.ring), pinky: shift(hp.pinky)}}
	hands, _, err := h.Detect(context.Background(), right, HandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	matchHands(t, hands, want)
}

// halved returns img at half size, each pixel the mean of a 2x2 block.
func halved(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var sum [4]uint32
			for _, d := range []image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				r, g, bl, a := img.At(b.Min.X+2*x+d.X, b.Min.Y+2*y+d.Y).RGBA()
				sum = [4]uint32{sum[0] + r, sum[1] + g, sum[2] + bl, sum[3] + a}
			}
			out.Set(x, y, color.RGBA64{uint16(sum[0] / 4), uint16(sum[1] / 4), uint16(sum[2] / 4), uint16(sum[3] / 4)})
		}
	}
	return out
}

// TestHandsReducedPhoto: hands.jpg held at half size as a *preprocess.Reduced, as the
// daemon decodes large JPEGs, gives the hands in pixels of the original.
func TestHandsReducedPhoto(t *testing.T) {
	h := testHandDetector(t)
	img := &preprocess.Reduced{Image: halved(decodeImage(t, "hands.jpg")), Width: 720, Height: 382}
	hands, _, err := h.Detect(context.Background(), img, HandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	matchHands(t, hands, handsPhoto)
}

func TestHandsNone(t *testing.T) {
	h := testHandDetector(t)
	// Airliners at an airport gate; two cats and two dogs: no hands.
	for _, name := range []string{"airplane_airport_1280.jpg", "cats_and_dogs.jpg"} {
		hands, _, err := h.Detect(context.Background(), decodeImage(t, name), HandQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hands) != 0 {
			t.Errorf("%s: %d hands found, want none: %+v", name, len(hands), hands)
		}
	}
}

func TestHandsQuery(t *testing.T) {
	h := testHandDetector(t)
	img := decodeImage(t, "hands.jpg")
	ctx := context.Background()
	one, _, err := h.Detect(ctx, img, HandQuery{MaxHands: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 {
		t.Fatalf("MaxHands 1 gave %d hands", len(one))
	}
	checkHand(t, one[0], DefaultHandScore)
	for _, q := range []HandQuery{{MaxHands: -1}, {MaxHands: MaxHandsLimit + 1}, {MinScore: -0.1}, {MinScore: 1.5}, {MinScore: math.NaN()}} {
		if _, _, err := h.Detect(ctx, img, q); !errors.Is(err, ErrBadOption) {
			t.Errorf("query %+v: err %v, want ErrBadOption", q, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := h.Detect(cancelled, img, HandQuery{}); err == nil {
		t.Error("a cancelled context gave no error")
	}
}

func TestNewHandDetectorRejectsOtherModels(t *testing.T) {
	m, _ := catalog.Lookup("mobilenet")
	if _, err := NewHandDetector(LoadOptions{}, m); !errors.Is(err, ErrBadModel) {
		t.Errorf("err %v, want ErrBadModel", err)
	}
}

// TestHandResult maps raw landmarks through a crop that is the identity on x and y (a
// 224-px upright square whose corner is the origin) and checks the handpose shape.
func TestHandResult(t *testing.T) {
	c := palm.Crop{Rect: palm.Rect{CX: 112, CY: 112, W: 224, H: 224}, Size: palm.LandmarkInput}
	raw := make([]float32, 63)
	for i := range 21 {
		raw[3*i], raw[3*i+1], raw[3*i+2] = float32(10+i), float32(200-i), 0.4*float32(i)
	}
	h := handResult(c, raw, 0.9)
	// z is divided by 224 and 0.4 and multiplied by the crop width 224: landmark i has z = i.
	if h.Landmarks[20] != [3]float64{30, 180, 20} || h.Landmarks[0] != [3]float64{10, 200, 0} {
		t.Errorf("landmarks 0 and 20: %v %v", h.Landmarks[0], h.Landmarks[20])
	}
	if h.BoundingBox.TopLeft != [2]float64{10, 180} || h.BoundingBox.BottomRight != [2]float64{30, 200} {
		t.Errorf("bounding box %+v, want (10, 180)-(30, 200)", h.BoundingBox)
	}
	checkHand(t, h, 0.9)
}

// TestHandsConcurrent: one detector serves several requests at once with the same answers.
func TestHandsConcurrent(t *testing.T) {
	h := testHandDetector(t)
	img := decodeImage(t, "hands.jpg")
	want, _, err := h.Detect(context.Background(), img, HandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 3 {
				got, _, err := h.Detect(context.Background(), img, HandQuery{})
				if err == nil && !reflect.DeepEqual(got, want) {
					err = fmt.Errorf("concurrent answer %+v differs from %+v", got, want)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
