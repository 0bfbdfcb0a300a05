package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/internal/golden"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testpipeline"
	"github.com/visiond/visiond/models/results"
)

// detectAnswer is the JSON answer of /v1/detect.
type detectAnswer struct {
	Model     string
	Task      string
	Width     int
	Height    int
	Results   []results.Detection
	Timings   map[string]float64 `json:"timings_ms"`
	Annotated string
}

// TestDetectInputStyles: the airplane photo sent in every accepted way gives the same
// airplanes.
func TestDetectInputStyles(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	photo := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	b64 := base64.StdEncoding.EncodeToString(photo)
	urlSafe := base64.RawURLEncoding.EncodeToString(photo)
	jsonBody := func(image string) []byte {
		b, _ := json.Marshal(map[string]string{"image": image})
		return b
	}
	formType, form := multipartBody(t, photo)
	cases := []struct {
		name, contentType string
		body              []byte
	}{
		{"raw image/jpeg", "image/jpeg", photo},
		{"raw octet-stream (Node-RED Buffer)", "application/octet-stream", photo},
		{"raw with a wrong header (curl --data-binary)", "application/x-www-form-urlencoded", photo},
		{"raw without a header", "", photo},
		{"multipart", formType, form},
		{"JSON base64", "application/json", jsonBody(b64)},
		{"JSON data URI", "application/json", jsonBody("data:image/jpeg;base64," + b64)},
		{"JSON URL-safe base64 without padding", "application/json", jsonBody(urlSafe)},
		{"JSON base64 with line breaks, labelled as text", "text/plain", jsonBody(wrap(b64, 76))},
	}
	var first []results.Detection
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", "/v1/detect", tc.contentType, tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var a detectAnswer
			r.json(t, &a)
			if a.Model != "coco-ssd" || a.Task != "detect" || a.Width != 1280 || a.Height != 1280 {
				t.Errorf("model %q task %q size %dx%d; want coco-ssd detect 1280x1280", a.Model, a.Task, a.Width, a.Height)
			}
			golden.Check(t, "coco-ssd", "airplane_airport_1280.jpg", a.Results)
			for _, stage := range []string{"queue", "decode", "preprocess", "inference", "postprocess"} {
				if _, ok := a.Timings[stage]; !ok {
					t.Errorf("timings_ms lacks %s: %v", stage, a.Timings)
				}
			}
			if a.Timings["inference"] <= 0 {
				t.Errorf("inference took %v ms", a.Timings["inference"])
			}
			if first == nil {
				first = a.Results
			} else if !reflect.DeepEqual(a.Results, first) {
				t.Errorf("results differ from the raw body's:\n%+v\n%+v", a.Results, first)
			}
		})
	}
}

// wrap breaks s into lines of n characters, as MIME base64 does.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestClassify(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	formType, form := multipartBody(t, testenv.ReadImage(t, "burger.jpg"), "top", "1")
	r := h.do("POST", "/v1/classify", formType, form)
	var a struct {
		Model, Task string
		Results     []results.Classification
	}
	r.json(t, &a)
	if r.status != http.StatusOK || a.Model != "mobilenet" || a.Task != "classify" || len(a.Results) != 1 || a.Results[0].ClassName != "cheeseburger" {
		t.Fatalf("status %d, answer %+v; want one class, cheeseburger", r.status, a)
	}
}

// TestDetectOptions: options in the query, the form or JSON change the answer as asked.
func TestDetectOptions(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	photo := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	detect := func(t *testing.T, path, contentType string, body []byte) detectAnswer {
		t.Helper()
		r := h.do("POST", path, contentType, body)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var a detectAnswer
		r.json(t, &a)
		return a
	}
	all := detect(t, "/v1/detect?min_score=0.3", "image/jpeg", photo)
	t.Run("max", func(t *testing.T) {
		a := detect(t, "/v1/detect?min_score=0.3&max=1", "image/jpeg", photo)
		if len(a.Results) != 1 || a.Results[0] != all.Results[0] {
			t.Errorf("max=1 gave %+v, want the best of %+v", a.Results, all.Results)
		}
	})
	t.Run("min_score 0 keeps the weak ones", func(t *testing.T) {
		a := detect(t, "/v1/detect?min_score=0&max=100", "image/jpeg", photo)
		if len(a.Results) <= len(all.Results) {
			t.Errorf("min_score=0 gave %d results, min_score=0.3 %d", len(a.Results), len(all.Results))
		}
	})
	t.Run("classes in a JSON list", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(photo), "classes": []string{"person"}, "min_score": 0.3})
		a := detect(t, "/v1/detect", "application/json", body)
		if len(a.Results) == 0 {
			t.Fatalf("no person at min_score 0.3; all: %+v", all.Results)
		}
		for _, d := range a.Results {
			if d.Class != "person" {
				t.Errorf("classes=[person] gave %+v", d)
			}
		}
	})
	t.Run("form fields override the query", func(t *testing.T) {
		formType, form := multipartBody(t, photo, "max", "2")
		if a := detect(t, "/v1/detect?max=1", formType, form); len(a.Results) != 2 {
			t.Errorf("form max=2 over query max=1 gave %d results", len(a.Results))
		}
	})
	for _, tc := range []struct {
		query, prefix string
		decode        func([]byte) (image.Image, error)
	}{
		{"annotate=true", "data:image/jpeg;base64,", func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
		{"annotate&format=png", "data:image/png;base64,", func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			a := detect(t, "/v1/detect?"+tc.query, "image/jpeg", photo)
			data, ok := strings.CutPrefix(a.Annotated, tc.prefix)
			if !ok {
				t.Fatalf("annotated = %.40q, want %s...", a.Annotated, tc.prefix)
			}
			raw, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				t.Fatal(err)
			}
			img, err := tc.decode(raw)
			if err != nil || img.Bounds() != image.Rect(0, 0, 1280, 1280) {
				t.Fatalf("annotated image: %v, bounds %v", err, img.Bounds())
			}
			if a.Timings["annotate"] <= 0 {
				t.Errorf("no annotate timing: %v", a.Timings)
			}
		})
	}
}

// TestAcceptImage: a client that accepts an image gets the annotated image as the body.
func TestAcceptImage(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	photo := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	for _, tc := range []struct {
		accept, want string
		decode       func([]byte) (image.Image, error)
	}{
		{"image/jpeg", "image/jpeg", func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
		{"image/png", "image/png", func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }},
		// What a browser's <img> sends.
		{"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/jpeg", func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			r := h.do("POST", "/v1/detect", "image/jpeg", photo, "Accept", tc.accept)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != tc.want {
				t.Fatalf("status %d, Content-Type %q; want 200 %s", r.status, r.header.Get("Content-Type"), tc.want)
			}
			img, err := tc.decode(r.body)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, 1280, 1280) {
				t.Errorf("annotated image is %v, want the original 1280x1280", img.Bounds())
			}
		})
	}
	r := h.do("POST", "/v1/detect", "image/jpeg", photo, "Accept", "*/*")
	if r.header.Get("Content-Type") != gin.MIMEJSON+"; charset=utf-8" {
		t.Errorf("Accept */* gave %q, want JSON", r.header.Get("Content-Type"))
	}
}

// deepStackAnswer is the JSON answer of the DeepStack route.
type deepStackAnswer struct {
	Success     bool
	Error       string
	Duration    float64
	Predictions []struct {
		Label      string
		Confidence float64
	}
}

// TestDeepStack: the DeepStack route answers DeepStack's shape with the objects /v1/detect
// finds at the same threshold, in integer pixel corners.
func TestDeepStack(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	photo := testenv.ReadImage(t, "airplane_airport_1280.jpg")
	formType, form := multipartBody(t, photo)
	r := h.do("POST", "/v1/vision/detection", formType, form)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	for _, k := range []string{"success", "predictions", "duration"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("answer lacks %q: %s", k, r.body)
		}
	}
	var preds []map[string]any
	json.Unmarshal(raw["predictions"], &preds)

	var want detectAnswer
	h.do("POST", "/v1/detect?min_score=0.4&max=100", "image/jpeg", photo).json(t, &want)
	if len(preds) != len(want.Results) || len(preds) < 2 {
		t.Fatalf("DeepStack found %d objects, /v1/detect at 0.4 %d: %s", len(preds), len(want.Results), r.body)
	}
	for i, p := range preds {
		d := want.Results[i]
		if len(p) != 6 || p["label"] != d.Class || p["confidence"] != d.Score {
			t.Errorf("prediction %d = %v, want %s %v with exactly label, confidence and four corners", i, p, d.Class, d.Score)
		}
		corners := []float64{d.BBox[0], d.BBox[1], d.BBox[0] + d.BBox[2], d.BBox[1] + d.BBox[3]}
		for j, k := range []string{"x_min", "y_min", "x_max", "y_max"} {
			v, ok := p[k].(float64)
			if !ok || v != float64(int(v)) || v < 0 || v > 1280 || v-corners[j] > 0.5 || corners[j]-v > 0.5 {
				t.Errorf("prediction %d %s = %v, want the whole pixel of %.2f", i, k, p[k], corners[j])
			}
		}
	}

	formType, form = multipartBody(t, photo, "min_confidence", "0.7")
	var strict deepStackAnswer
	h.do("POST", "/v1/vision/detection", formType, form).json(t, &strict)
	if !strict.Success || len(strict.Predictions) == 0 || len(strict.Predictions) >= len(preds) {
		t.Errorf("min_confidence=0.7 gave %d predictions, 0.4 gave %d", len(strict.Predictions), len(preds))
	}
	for _, p := range strict.Predictions {
		if p.Confidence < 0.7 {
			t.Errorf("min_confidence=0.7 kept %+v", p)
		}
	}
}

// TestDeepStackErrors: errors on the DeepStack route have DeepStack's shape.
func TestDeepStackErrors(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	noImage, form := multipartBody(t, nil, "min_confidence", "0.5")
	textType, text := multipartBody(t, []byte("not an image"))
	photoType, photo := multipartBody(t, testenv.ReadImage(t, "burger.jpg"), "min_confidence", "lots")
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		status            int
		message           string
	}{
		{"no image field", noImage, form, 400, `"image"`},
		{"not an image", textType, text, 400, "not a JPEG"},
		{"bad min_confidence", photoType, photo, 400, "min_confidence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", "/v1/vision/detection", tc.contentType, tc.body)
			var a map[string]any
			r.json(t, &a)
			msg, _ := a["error"].(string)
			if r.status != tc.status || a["success"] != false || !strings.Contains(msg, tc.message) {
				t.Errorf("status %d, body %s; want %d, success false, error with %q", r.status, r.body, tc.status, tc.message)
			}
		})
	}
}

func TestModelsRoute(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	r := h.do("GET", "/v1/models", "", nil)
	var a struct{ Models []modelInfo }
	r.json(t, &a)
	if r.status != http.StatusOK || len(a.Models) != 2 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	ssd, mn := a.Models[0], a.Models[1]
	if ssd.Name != "coco-ssd" || ssd.Task != "detect" || ssd.InputWidth != 300 || ssd.InputHeight != 300 || ssd.Labels != 80 ||
		ssd.Engine != "onnxruntime test" || ssd.Status != "loaded" || !ssd.Default {
		t.Errorf("coco-ssd: %+v", ssd)
	}
	if mn.Name != "mobilenet" || mn.Task != "classify" || mn.InputWidth != 224 || mn.Labels != 1001 {
		t.Errorf("mobilenet: %+v", mn)
	}
}

// TestOpenAPI: the document is valid JSON and describes exactly the routes registered.
func TestOpenAPI(t *testing.T) {
	h := newHarness(t, testConfig(), nil, nil)
	r := h.do("GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string
		Paths   map[string]map[string]any
	}
	r.json(t, &doc)
	if r.status != http.StatusOK || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("status %d, openapi %q", r.status, doc.OpenAPI)
	}
	var documented, registered []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range h.srv.Handler().(*gin.Engine).Routes() {
		registered = append(registered, rt.Method+" "+openAPIPath(rt.Path))
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("documented routes\n%v\nregistered routes\n%v", documented, registered)
	}
}

// TestReadiness: /healthz answers from the start, /readyz and the model routes once the
// pipeline is there, and /readyz turns unready on shutdown.
func TestReadiness(t *testing.T) {
	h := newHarness(t, testConfig(), nil, nil)
	photo := testenv.ReadImage(t, "burger.jpg")
	if r := h.do("GET", "/healthz", "", nil); r.status != http.StatusOK {
		t.Errorf("healthz while loading: %d", r.status)
	}
	for _, path := range []string{"/readyz", "/v1/models"} {
		r := h.do("GET", path, "", nil)
		if code, _ := r.apiErr(t); r.status != http.StatusServiceUnavailable || code != "loading" {
			t.Errorf("%s while loading: %d %s", path, r.status, r.body)
		}
	}
	r := h.do("POST", "/v1/classify", "image/jpeg", photo)
	if code, _ := r.apiErr(t); r.status != http.StatusServiceUnavailable || code != "loading" || r.header.Get("Retry-After") == "" {
		t.Errorf("classify while loading: %d %s %v", r.status, r.body, r.header)
	}

	h.srv.Ready(testpipeline.Shared(t), "onnxruntime test")
	r = h.do("GET", "/readyz", "", nil)
	var ready struct {
		Status string
		Models []string
	}
	r.json(t, &ready)
	if r.status != http.StatusOK || ready.Status != "ready" || !slices.Equal(ready.Models, []string{"coco-ssd", "mobilenet"}) {
		t.Errorf("readyz when loaded: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/classify", "image/jpeg", photo); r.status != http.StatusOK {
		t.Errorf("classify when loaded: %d %s", r.status, r.body)
	}

	h.srv.Shutdown(t.Context()) // the test's listener is not the server's: it keeps answering
	r = h.do("GET", "/readyz", "", nil)
	if code, _ := r.apiErr(t); r.status != http.StatusServiceUnavailable || code != "shutting_down" {
		t.Errorf("readyz when shutting down: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/healthz", "", nil); r.status != http.StatusOK {
		t.Errorf("healthz when shutting down: %d", r.status)
	}
}

// TestRequestID: a sane client id is kept, anything else replaced; the log carries it.
func TestRequestID(t *testing.T) {
	h := newHarness(t, testConfig(), testpipeline.Shared(t), nil)
	r := h.do("GET", "/healthz", "", nil, "X-Request-Id", "camera-7.frame_42")
	if got := r.header.Get("X-Request-Id"); got != "camera-7.frame_42" {
		t.Errorf("request id %q, want the client's", got)
	}
	r = h.do("GET", "/healthz", "", nil, "X-Request-Id", "bad id\"with=quotes")
	if got := r.header.Get("X-Request-Id"); len(got) != 16 {
		t.Errorf("request id %q, want a new 16-hex-digit id", got)
	}
	r = h.do("POST", "/v1/classify", "image/jpeg", []byte("junk"), "X-Request-Id", "abc123")
	if !contains(h.log.String(), "request_id=abc123", "status=400", "path=/v1/classify", "bad image") {
		t.Errorf("log lacks the request line:\n%s", h.log.String())
	}
}

// TestPoseAndHands: the pose and hands routes answer in the TensorFlow.js posenet and
// handpose shapes once their models are loaded.
func TestPoseAndHands(t *testing.T) {
	p := openPipeline(t, nil, nil, 2, 0, "posenet", "hands")
	h := newHarness(t, testConfig(), p, nil)

	// A man in a warrior yoga pose, standing in the middle of a 1000×667 beach photo: head
	// near (480, 265), feet on the mat near the bottom.
	r := h.do("POST", "/v1/pose", "image/jpeg", testenv.ReadImage(t, "person_fullbody_pose.jpg"))
	var pose struct {
		Model   string
		Results []results.Pose
	}
	r.json(t, &pose)
	if r.status != http.StatusOK || pose.Model != "posenet" || len(pose.Results) != 1 || len(pose.Results[0].Keypoints) != 17 {
		t.Fatalf("pose: %d %.300s", r.status, r.body)
	}
	golden.Check(t, "posenet", "person_fullbody_pose.jpg", pose.Results)
	parts := map[string]results.Point{}
	for _, k := range pose.Results[0].Keypoints {
		parts[k.Part] = k.Position
	}
	if nose := parts["nose"]; nose.X < 420 || nose.X > 540 || nose.Y < 230 || nose.Y > 310 {
		t.Errorf("nose at %+v, want near (480, 265)", nose)
	}
	for _, ankle := range []string{"leftAnkle", "rightAnkle"} {
		if parts[ankle].Y < 550 {
			t.Errorf("%s at %+v, want near the bottom", ankle, parts[ankle])
		}
	}

	// Two hands, palms and backs, one in each half of a 720×382 photo.
	formType, form := multipartBody(t, testenv.ReadImage(t, "hands.jpg"))
	r = h.do("POST", "/v1/hands", formType, form)
	var hands struct {
		Model   string
		Results []results.Hand
	}
	r.json(t, &hands)
	if r.status != http.StatusOK || hands.Model != "hands" || len(hands.Results) != 2 {
		t.Fatalf("hands: %d %.300s", r.status, r.body)
	}
	var left, right int
	for _, hand := range hands.Results {
		if len(hand.Landmarks) != 21 {
			t.Errorf("%d landmarks, want 21", len(hand.Landmarks))
		}
		switch cx := (hand.BoundingBox.TopLeft[0] + hand.BoundingBox.BottomRight[0]) / 2; {
		case cx < 360:
			left++
		default:
			right++
		}
	}
	if left != 1 || right != 1 {
		t.Errorf("hands in the left half %d, right half %d; want one each", left, right)
	}
}
