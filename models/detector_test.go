package models

import (
	"context"
	"errors"
	"image"
	"testing"

	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"

	"github.com/visiond/visiond/models/results"
)

// box is [x0, y0, x1, y1] in pixels, read off the photos by eye.
type box [4]float64

func iou(a box, d results.Detection) float64 {
	b := box{d.BBox[0], d.BBox[1], d.BBox[0] + d.BBox[2], d.BBox[1] + d.BBox[3]}
	iw := min(a[2], b[2]) - max(a[0], b[0])
	ih := min(a[3], b[3]) - max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	return inter / ((a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter)
}

// best returns the highest IoU of any detection of class with want.
func best(dets []results.Detection, class string, want box) float64 {
	top := 0.0
	for _, d := range dets {
		if d.Class == class {
			top = max(top, iou(want, d))
		}
	}
	return top
}

func count(dets []results.Detection, class string) int {
	n := 0
	for _, d := range dets {
		if d.Class == class {
			n++
		}
	}
	return n
}

// testDetector loads coco-ssd from the shared models, closed when the test ends.
func testDetector(t *testing.T) *Detector {
	t.Helper()
	m, _ := catalog.Lookup("coco-ssd")
	d, err := NewDetector(LoadOptions{Engine: testmodels.Engine(t), Store: testmodels.Store(t, m.Name)}, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// object is a thing in a photo, where it was read off by eye, and how well a box must cover it.
type object struct {
	class  string
	where  box
	minIoU float64
}

func TestDetectRealPhotos(t *testing.T) {
	d := testDetector(t)
	cases := []struct {
		image    string
		minScore float64
		max      int
		objects  []object
		atLeast  map[string]int
	}{
		{
			// Two ANA airliners: one taxiing behind, one at the gate in front.
			image: "airplane_airport_1280.jpg", minScore: 0.5,
			objects: []object{
				{"airplane", box{378, 440, 903, 615}, 0.4},
				{"airplane", box{370, 585, 1015, 975}, 0.4},
			},
		},
		{
			// A New York street: a red double-decker bus, a yellow taxi, parked cars, pedestrians.
			image: "street_coco_000000373353.jpg", minScore: 0.3, max: MaxDetectionsLimit,
			objects: []object{
				{"bus", box{272, 215, 365, 330}, 0.5},
				{"car", box{0, 296, 97, 380}, 0.5},
				// The man crossing in front of the taxi.
				{"person", box{295, 295, 350, 415}, 0.3},
			},
			atLeast: map[string]int{"person": 2, "car": 5},
		},
		{
			// Two cats lying in front, a grey poodle and a corgi sitting behind.
			image: "cats_and_dogs.jpg", minScore: 0.4,
			objects: []object{
				{"cat", box{55, 395, 450, 600}, 0.5},
				{"cat", box{870, 405, 1080, 600}, 0.5},
				{"dog", box{390, 200, 660, 600}, 0.5},
			},
		},
		{
			// People on a beach under several kites.
			image: "beach_people_kites.jpg", minScore: 0.5,
			atLeast: map[string]int{"person": 3, "kite": 3},
		},
	}
	// Each photo is decoded at full size and, as the daemon does, reduced to the model's input.
	decodes := map[string]func(t testing.TB, name string) image.Image{
		"full": decodeImage,
		"reduced": func(t testing.TB, name string) image.Image {
			w, h := d.InputSize()
			return decodeAtLeast(t, name, w, h)
		},
	}
	for _, tc := range cases {
		for decode, decodeFn := range decodes {
			t.Run(tc.image+"/"+decode, func(t *testing.T) {
				detectPhoto(t, d, decodeFn(t, tc.image), tc.minScore, tc.max, tc.objects, tc.atLeast)
			})
		}
	}
}

// detectPhoto checks the detections in img: scores in order and above minScore, boxes inside
// the image, each object found with at least its IoU, and at least the counts of atLeast.
func detectPhoto(t *testing.T, d *Detector, img image.Image, minScore float64, max int, objects []object, atLeast map[string]int) {
	dets, _, err := d.Detect(context.Background(), img, DetectQuery{MinScore: minScore, Max: max})
	if err != nil {
		t.Fatal(err)
	}
	w, h := preprocess.SourceSize(img)
	for i, det := range dets {
		if det.Score < minScore || det.Score > 1 || (i > 0 && det.Score > dets[i-1].Score) {
			t.Errorf("detection %d: score %.3f out of order or below %.2f", i, det.Score, minScore)
		}
		if det.BBox[0] < 0 || det.BBox[1] < 0 || det.BBox[0]+det.BBox[2] > float64(w)+0.01 || det.BBox[1]+det.BBox[3] > float64(h)+0.01 {
			t.Errorf("detection %d box %v outside the %dx%d image", i, det.BBox, w, h)
		}
	}
	for _, o := range objects {
		if got := best(dets, o.class, o.where); got < o.minIoU {
			t.Errorf("%s at %v: best IoU %.2f, want ≥ %.2f; detections %+v", o.class, o.where, got, o.minIoU, dets)
		}
	}
	for class, n := range atLeast {
		if got := count(dets, class); got < n {
			t.Errorf("%d %s found, want at least %d", got, class, n)
		}
	}
}

func TestDetectQuery(t *testing.T) {
	d := testDetector(t)
	img := decodeImage(t, "street_coco_000000373353.jpg")
	ctx := context.Background()

	// Defaults: at most 20 boxes, none below 0.5.
	all, _, err := d.Detect(ctx, img, DetectQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || len(all) > DefaultMaxDetections || all[len(all)-1].Score < DefaultMinScore {
		t.Errorf("default query gave %d detections, last score %v", len(all), all)
	}
	// The class filter comes before the count cut: asking for 2 people returns the two best
	// people, though a dozen cars score higher; and no box changes its class to pass the filter.
	people, _, err := d.Detect(ctx, img, DetectQuery{MinScore: 0.3, Max: 2, Classes: []string{"person"}})
	if err != nil {
		t.Fatal(err)
	}
	unfiltered, _, err := d.Detect(ctx, img, DetectQuery{MinScore: 0.3, Max: MaxDetectionsLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || count(people, "person") != 2 {
		t.Fatalf("person filter gave %+v, want 2 people", people)
	}
	var unfilteredPeople []results.Detection
	for _, det := range unfiltered {
		if det.Class == "person" {
			unfilteredPeople = append(unfilteredPeople, det)
		}
	}
	if len(unfilteredPeople) < 2 || people[0] != unfilteredPeople[0] || people[1] != unfilteredPeople[1] {
		t.Errorf("filtered people %+v differ from the best people of the unfiltered answer %+v", people, unfilteredPeople)
	}
	for _, q := range []DetectQuery{
		{MinScore: -0.1}, {MinScore: 1.5}, {Max: -1}, {Max: MaxDetectionsLimit + 1}, {Classes: []string{"unicorn"}}, {Classes: []string{"???"}},
	} {
		if _, _, err := d.Detect(ctx, img, q); !errors.Is(err, ErrBadOption) {
			t.Errorf("query %+v: err %v, want ErrBadOption", q, err)
		}
	}
}
