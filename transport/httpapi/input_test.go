package httpapi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/jpeg"
	"maps"
	"math"
	"net/url"
	"reflect"
	"testing"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
)

// tinyJPEG encodes a 4×3 grey image.
func tinyJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseBody(t *testing.T) {
	img := tinyJPEG(t)
	std := base64.StdEncoding.EncodeToString(img)
	formType, form := multipartBody(t, img, "min_score", "0.3", "classes", "person,car")
	cases := []struct {
		name, contentType, body string
		fields                  map[string]string
	}{
		{"raw", "image/jpeg", string(img), map[string]string{}},
		{"raw, leading newline is still not JSON", "", "\n" + string(img), map[string]string{}},
		{"JSON", "application/json", `{"image":"` + std + `","max":3,"multi":true,"classes":["person","car"],"model":"coco-ssd","format":null}`,
			map[string]string{"max": "3", "multi": "true", "classes": "person,car", "model": "coco-ssd"}},
		{"JSON data URI, capitals", "", ` {"image":"DATA:image/jpeg;BASE64,` + std + `"}`, map[string]string{}},
		{"JSON URL-safe", "", `{"image":"` + base64.RawURLEncoding.EncodeToString(img) + `"}`, map[string]string{}},
		{"multipart", formType, string(form), map[string]string{"min_score": "0.3", "classes": "person,car"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := parseBody(tc.contentType, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			want := img
			if tc.name == "raw, leading newline is still not JSON" {
				want = []byte(tc.body)
			}
			if !bytes.Equal(in.image, want) || !maps.Equal(in.fields, tc.fields) {
				t.Errorf("image %d bytes (want %d), fields %v (want %v)", len(in.image), len(want), in.fields, tc.fields)
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	detect, _ := pipeline.LookupTask(catalog.TaskDetect)
	pose, _ := pipeline.LookupTask(catalog.TaskPose)
	fields := mergeFields(
		url.Values{"model": {" coco-ssd "}, "max": {"5"}, "classes": {"person", " car, "}, "top": {"2"}},
		map[string]string{"min_score": "0.25", "multi": "", "annotate": "true", "format": "PNG", "max": "7", "unknown": "x"})
	req, err := newRequest(detect, fields, []byte("img"))
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline.Request{
		Task: catalog.TaskDetect, Model: "coco-ssd", Image: []byte("img"),
		Options:  pipeline.Options{MinScore: 0.25, Max: 7, Classes: []string{"person", "car"}},
		Annotate: true, Format: annotate.PNG,
	}
	if !reflect.DeepEqual(req, want) {
		t.Errorf("detect: got %+v\nwant %+v (top and multi are not detect's)", req, want)
	}
	if req, _ := newRequest(pose, fields, nil); !req.Options.Multi || req.Options.Max != 7 || req.Options.Classes != nil {
		t.Errorf("pose: got %+v, want multi and max 7 only", req.Options)
	}
	if req, _ := newRequest(detect, map[string]string{"min_score": "0"}, nil); req.Options.MinScore <= 0 || req.Options.MinScore > 1e-300 {
		t.Errorf("min_score=0 gave %v, want the smallest positive score (keep everything)", req.Options.MinScore)
	}
	for field, v := range map[string]string{"min_score": "Inf", "max": "1.5", "multi": "yes please", "nms_radius": "far", "annotate": "2", "format": "webp"} {
		_, err := newRequest(pose, map[string]string{field: v}, nil)
		if !errors.Is(err, models.ErrBadOption) || !bytes.Contains([]byte(err.Error()), []byte(field+": ")) {
			t.Errorf("%s=%q: %v, want a bad option naming the field", field, v, err)
		}
	}
}

// FuzzParseBody feeds parseBody arbitrary bodies under arbitrary content types: it must
// never panic, fail only with a 400, and find a non-empty image when it succeeds; the
// fields it finds must parse as options or fail as bad options. Separately, the fuzzed bytes
// sent as a JSON base64 image come back unchanged.
func FuzzParseBody(f *testing.F) {
	img := tinyJPEG(f)
	std := base64.StdEncoding.EncodeToString(img)
	formType, form := multipartBody(f, img, "max", "2", "api_key", "k")
	for _, seed := range []struct{ contentType, body string }{
		{"image/jpeg", string(img)},
		{"application/json", `{"image":"` + std + `","min_score":0.5,"classes":["person"]}`},
		{"application/json", `{"image":"data:image/jpeg;base64,` + std + `","annotate":true}`},
		{"application/json", `{"image":"https://example.com/a.jpg"}`},
		{"application/json", `{"image":12,"max":{}}`},
		{formType, string(form)},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc\r\n--x--\r\n"},
		{"multipart/form-data", "--"},
		{"text/plain", "  {"},
		{"", ""},
	} {
		f.Add(seed.contentType, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		in, err := parseBody(contentType, body)
		if err != nil {
			if status, _ := statusOf(err); status != 400 || !errors.Is(err, pipeline.ErrBadRequest) {
				t.Fatalf("error %v maps to %d", err, status)
			}
		} else {
			if len(in.image) == 0 || in.fields == nil {
				t.Fatalf("success with %d image bytes, fields %v", len(in.image), in.fields)
			}
			detect, _ := pipeline.LookupTask(catalog.TaskDetect)
			if _, err := newRequest(detect, in.fields, in.image); err != nil && !errors.Is(err, models.ErrBadOption) {
				t.Fatalf("options error %v is not a bad option", err)
			}
		}

		if len(body) == 0 {
			return
		}
		for _, enc := range []string{
			base64.StdEncoding.EncodeToString(body),
			"data:application/octet-stream;base64," + base64.RawURLEncoding.EncodeToString(body),
		} {
			in, err := parseBody("", []byte(`{"image":"`+enc+`"}`))
			if err != nil || !bytes.Equal(in.image, body) {
				t.Fatalf("JSON base64 round trip: %v, %d bytes back of %d", err, len(in.image), len(body))
			}
		}
	})
}

func TestClampPixel(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		size int
		want int
	}{{-3.2, 100, 0}, {0.49, 100, 0}, {0.5, 100, 1}, {99.6, 100, 100}, {250, 100, 100}, {math.NaN(), 100, 0}} {
		if got := clampPixel(tc.v, tc.size); got != tc.want {
			t.Errorf("clampPixel(%v, %d) = %d, want %d", tc.v, tc.size, got, tc.want)
		}
	}
}
