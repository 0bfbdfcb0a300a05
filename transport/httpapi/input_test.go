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

func TestParseOptions(t *testing.T) {
	o, err := parseOptions(mergeFields(
		url.Values{"model": {" coco-ssd "}, "max": {"5"}, "classes": {"person", " car, "}, "top": {"2"}},
		map[string]string{"min_score": "0.25", "multi": "", "annotate": "true", "format": "PNG", "max": "7", "unknown": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	want := options{
		model:    "coco-ssd",
		task:     pipeline.Options{MinScore: 0.25, Max: 7, Classes: []string{"person", "car"}, Top: 2, Multi: true},
		annotate: true, format: annotate.PNG,
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %+v\nwant %+v", o, want)
	}
	if o, _ := parseOptions(map[string]string{"min_score": "0"}); o.task.MinScore <= 0 || o.task.MinScore > 1e-300 {
		t.Errorf("min_score=0 gave %v, want the smallest positive score (keep everything)", o.task.MinScore)
	}
	for field, v := range map[string]string{"min_score": "Inf", "max": "1.5", "top": "three", "multi": "yes please", "annotate": "2", "format": "webp"} {
		_, err := parseOptions(map[string]string{field: v})
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
			if status, _ := statusOf(err); status != 400 || !errors.Is(err, errBadRequest) {
				t.Fatalf("error %v maps to %d", err, status)
			}
		} else {
			if len(in.image) == 0 || in.fields == nil {
				t.Fatalf("success with %d image bytes, fields %v", len(in.image), in.fields)
			}
			if _, err := parseOptions(in.fields); err != nil && !errors.Is(err, models.ErrBadOption) {
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
