package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
)

// TestErrors: every kind of bad request gets its status, its code and a message that says
// what is wrong, as JSON.
func TestErrors(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	jpg := testenv.ReadImage(t, "burger.jpg")
	noImage, form := multipartBody(t, nil, "model", "coco-ssd")
	twoImages, twice := multipartBody(t, jpg, "image", "second")
	cases := []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		code                            string
		message                         []string
	}{
		{"not an image", "POST", "/v1/detect", "image/jpeg", []byte("hello, this is text"), 400, "bad_image", []string{"not a JPEG, PNG, GIF, BMP or WebP"}},
		{"truncated JPEG", "POST", "/v1/detect", "image/jpeg", jpg[:len(jpg)/3], 400, "bad_image", []string{"bad image"}},
		{"TIFF", "POST", "/v1/detect", "image/tiff", []byte("II*\x00\x08\x00\x00\x00"), 415, "unsupported_format", []string{"TIFF"}},
		{"HEIF", "POST", "/v1/detect", "", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), 415, "unsupported_format", []string{"heic"}},
		{"pixel bomb", "POST", "/v1/detect", "image/png", testenv.PNGHeader(100000, 100000), 413, "too_large", []string{"100000x100000", "limit"}},
		{"empty body", "POST", "/v1/detect", "image/jpeg", nil, 400, "bad_request", []string{"empty body", "multipart"}},
		{"unknown model", "POST", "/v1/detect?model=yolo", "image/jpeg", jpg, 404, "unknown_model", []string{`"yolo"`}},
		{"catalog model not loaded", "POST", "/v1/pose?model=movenet", "image/jpeg", jpg, 404, "unknown_model", []string{"movenet", "not loaded"}},
		{"model of another task", "POST", "/v1/detect?model=mobilenet", "image/jpeg", jpg, 400, "bad_option", []string{"mobilenet", "classify"}},
		{"no model for the task", "POST", "/v1/hands", "image/jpeg", jpg, 404, "unknown_task", []string{"hands", "no model loaded"}},
		{"unknown task", "POST", "/v1/segment", "image/jpeg", jpg, 404, "not_found", []string{"no such endpoint"}},
		{"wrong method", "GET", "/v1/detect", "", nil, 405, "method_not_allowed", nil},
		{"min_score not a number", "POST", "/v1/detect?min_score=high", "image/jpeg", jpg, 400, "bad_option", []string{"min_score", `"high"`}},
		{"min_score NaN", "POST", "/v1/detect?min_score=NaN", "image/jpeg", jpg, 400, "bad_option", []string{"min_score"}},
		{"min_score out of range", "POST", "/v1/detect?min_score=1.5", "image/jpeg", jpg, 400, "bad_option", []string{"min_score"}},
		{"max not a number", "POST", "/v1/detect?max=ten", "image/jpeg", jpg, 400, "bad_option", []string{"max", `"ten"`}},
		{"max out of range", "POST", "/v1/detect?max=1000", "image/jpeg", jpg, 400, "bad_option", []string{"max"}},
		{"unknown class", "POST", "/v1/detect?classes=person,unicorn", "image/jpeg", jpg, 400, "bad_option", []string{"unicorn"}},
		{"top out of range", "POST", "/v1/classify?top=5000", "image/jpeg", jpg, 400, "bad_option", []string{"top"}},
		{"annotate not a boolean", "POST", "/v1/detect?annotate=maybe", "image/jpeg", jpg, 400, "bad_option", []string{"annotate", `"maybe"`}},
		{"multi not a boolean", "POST", "/v1/pose?multi=2", "image/jpeg", jpg, 400, "bad_option", []string{"multi"}},
		{"unknown format", "POST", "/v1/detect?annotate=1&format=gif", "image/jpeg", jpg, 400, "bad_option", []string{"format", `"gif"`}},
		{"JSON option of the wrong type", "POST", "/v1/detect", "application/json", []byte(`{"image":"AAAA","max":{"n":1}}`), 400, "bad_request", []string{"max"}},
		{"malformed JSON", "POST", "/v1/detect", "application/json", []byte(`{"image": "AAAA"`), 400, "bad_request", []string{"malformed JSON"}},
		{"JSON without image", "POST", "/v1/detect", "application/json", []byte(`{"model": "coco-ssd"}`), 400, "bad_request", []string{`"image"`}},
		{"JSON image not a string", "POST", "/v1/detect", "application/json", []byte(`{"image": 12}`), 400, "bad_request", []string{`"image" must be a string`}},
		{"JSON image URL", "POST", "/v1/detect", "application/json", []byte(`{"image": "http://169.254.169.254/latest"}`), 400, "bad_request", []string{"never fetches URLs"}},
		{"JSON bad base64", "POST", "/v1/detect", "application/json", []byte(`{"image": "not*base64"}`), 400, "bad_request", []string{"base64"}},
		{"JSON data URI not base64", "POST", "/v1/detect", "application/json", []byte(`{"image": "data:image/jpeg,abc"}`), 400, "bad_request", []string{"data: URI"}},
		{"JSON image of text", "POST", "/v1/detect", "application/json", []byte(`{"image": "aGVsbG8="}`), 400, "bad_image", nil},
		{"multipart without image", "POST", "/v1/detect", noImage, form, 400, "bad_request", []string{`"image"`}},
		{"multipart with two images", "POST", "/v1/detect", twoImages, twice, 400, "bad_request", []string{"more than one image"}},
		{"multipart without boundary", "POST", "/v1/detect", "multipart/form-data", jpg, 400, "bad_request", []string{"boundary"}},
		{"truncated multipart", "POST", "/v1/detect", twoImages, twice[:len(twice)/2], 400, "bad_request", []string{"multipart"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.method, tc.path, tc.contentType, tc.body)
			code, msg := r.apiErr(t)
			if r.status != tc.status || code != tc.code {
				t.Errorf("status %d code %q, want %d %q: %s", r.status, code, tc.status, tc.code, r.body)
			}
			for _, s := range tc.message {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
		})
	}
}

// TestBodyLimit: bodies over the limit are refused with 413, whether their length is
// declared or not.
func TestBodyLimit(t *testing.T) {
	// body limit: 4 KiB + 64 KiB for forms and JSON
	h := newLimitedHarness(t, testConfig(), 3<<10, testpipeline.Shared(t), nil)
	big := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	if len(big) < 100<<10 {
		t.Fatalf("the photo is only %d bytes", len(big))
	}
	t.Run("declared length", func(t *testing.T) {
		r := h.do("POST", "/v1/detect", "image/jpeg", big)
		if code, msg := r.apiErr(t); r.status != 413 || code != "too_large" || !strings.Contains(msg, "limit") {
			t.Errorf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		req, _ := http.NewRequest("POST", h.ts.URL+"/v1/detect", io.MultiReader(bytes.NewReader(big))) // length unknown: chunked
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// TestBadInputsCodes: the inputs every entrance refuses get their code over HTTP, in the raw
// body, a form and JSON alike.
func TestBadInputsCodes(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	for _, in := range testenv.BadInputs(t) {
		formType, form := multipartBody(t, in.Image, "model", in.Model)
		jsonBody, _ := json.Marshal(map[string]string{"image": base64.StdEncoding.EncodeToString(in.Image), "model": in.Model})
		for _, r := range []reply{
			h.do("POST", "/v1/detect?model="+in.Model, "application/octet-stream", in.Image),
			h.do("POST", "/v1/detect", formType, form),
			h.do("POST", "/v1/detect", "application/json", jsonBody),
		} {
			if code, _ := r.apiErr(t); code != in.Code {
				t.Errorf("%s: status %d, code %q, want %q", in.Name, r.status, code, in.Code)
			}
		}
	}
}
