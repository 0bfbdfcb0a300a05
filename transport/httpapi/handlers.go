package httpapi

import (
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/annotate"
	"github.com/visiond/visiond/internal/version"
	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/results"
	"github.com/visiond/visiond/pipeline"
)

func (s *Server) healthz(*gin.Context) (any, error) {
	return gin.H{"status": "ok", "version": version.Version}, nil
}

// readyz is ready when every configured model is loaded (the pipeline opened) and the server
// is not shutting down.
func (s *Server) readyz(*gin.Context) (any, error) {
	b := s.backend.Load()
	switch {
	case s.closing.Load():
		return nil, pipeline.ErrClosed
	case b == nil:
		return nil, pipeline.ErrNotReady
	}
	names := []string{}
	for _, m := range b.pipe.Models() {
		names = append(names, m.Name)
	}
	return gin.H{"status": "ready", "models": names}, nil
}

// modelInfo is one entry of /v1/models.
type modelInfo struct {
	pipeline.ModelInfo
	Engine string `json:"engine"`
}

func (s *Server) models(*gin.Context) (any, error) {
	b := s.backend.Load()
	if b == nil {
		return nil, pipeline.ErrNotReady
	}
	all := b.pipe.Models()
	if admin, ok := b.pipe.(modelAdmin); ok {
		all = admin.AllModels() // with the models that could not be loaded
	}
	list := []modelInfo{}
	for _, m := range all {
		list = append(list, modelInfo{ModelInfo: m, Engine: b.engine})
	}
	return gin.H{"models": list}, nil
}

// visionResponse is the answer of the /v1 vision routes: the pipeline's result, with the
// annotated image as a data: URI when asked for.
type visionResponse struct {
	*pipeline.Result
	Annotated string `json:"annotated,omitempty"`
}

// vision answers one image for task: JSON results, or the annotated image itself when the
// client accepts image/jpeg or image/png rather than JSON.
func (s *Server) vision(task pipeline.Task) handler {
	return func(c *gin.Context) (any, error) {
		in, err := s.readInput(c)
		defer in.release()
		if err != nil {
			return nil, err
		}
		req, err := newRequest(task, mergeFields(c.Request.URL.Query(), in.fields), in.image)
		if err != nil {
			return nil, err
		}
		accept := c.NegotiateFormat(gin.MIMEJSON, "image/jpeg", "image/png")
		if accept == "image/jpeg" || accept == "image/png" {
			req.Annotate, req.Format = true, annotate.Format(accept[len("image/"):])
		}
		res, err := s.run(c, req)
		if err != nil {
			return nil, err
		}
		if accept == "image/jpeg" || accept == "image/png" {
			return imageBody{contentType: accept, data: res.Annotated}, nil
		}
		out := visionResponse{Result: res}
		if res.Annotated != nil {
			out.Annotated = "data:image/" + string(res.AnnotatedFormat) + ";base64," + base64.StdEncoding.EncodeToString(res.Annotated)
		}
		return out, nil
	}
}

// run runs req on the pipeline within the request's deadline, and labels the request with
// the model for the metrics.
func (s *Server) run(c *gin.Context, req pipeline.Request) (*pipeline.Result, error) {
	b := s.backend.Load()
	if b == nil {
		return nil, pipeline.ErrNotReady
	}
	c.Set(modelKey, modelLabel(b.pipe.Models(), req.Task, req.Model))
	return b.pipe.Run(c.Request.Context(), req)
}

// modelLabel is the loaded model a request is for, or "" when it names none: clients must not
// be able to grow the metrics' label set.
func modelLabel(loaded []pipeline.ModelInfo, task catalog.Task, name string) string {
	for _, m := range loaded {
		if m.Name == name || name == "" && m.Task == task && m.Default {
			return m.Name
		}
	}
	return ""
}

// deepStackMinConfidence is DeepStack's default min_confidence.
const deepStackMinConfidence = 0.4

// deepStackPrediction is one detection as DeepStack reports it: integer pixel corners.
type deepStackPrediction struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
	XMin       int     `json:"x_min"`
	YMin       int     `json:"y_min"`
	XMax       int     `json:"x_max"`
	YMax       int     `json:"y_max"`
}

// deepStackResponse is DeepStack's detection answer; Duration is the processing time in
// milliseconds.
type deepStackResponse struct {
	Success     bool                  `json:"success"`
	Predictions []deepStackPrediction `json:"predictions"`
	Duration    float64               `json:"duration"`
}

// deepStackError is the error body DeepStack clients expect.
func deepStackError(_, message string) any {
	return gin.H{"success": false, "error": message, "duration": 0}
}

// deepStack adapts a handler of the DeepStack API, whose errors have DeepStack's shape.
func (s *Server) deepStack(h handler) gin.HandlerFunc { return s.adapt(h, deepStackError) }

// detection is the DeepStack detection API: multipart field image, optional min_confidence
// and api_key.
func (s *Server) detection(c *gin.Context) (any, error) {
	start := time.Now()
	keyed := s.keys.allows(append(headerKeys(c.Request), c.Query("api_key"))...)
	if !keyed && !s.formKeyAllowed(c.Request) {
		return nil, errUnauthorized // before the body is read
	}
	in, err := s.readInput(c)
	defer in.release()
	if err != nil && !keyed {
		return nil, errUnauthorized // a bad body cannot be trusted to carry the key
	}
	if err != nil {
		return nil, err
	}
	fields := mergeFields(c.Request.URL.Query(), in.fields)
	if !keyed && !s.keys.allows(fields["api_key"]) {
		return nil, errUnauthorized
	}
	minConf := deepStackMinConfidence
	if v, ok := fields["min_confidence"]; ok {
		if minConf, err = pipeline.ParseScore(v); err != nil {
			return nil, fmt.Errorf("%w: min_confidence: %q is not %v", models.ErrBadOption, v, err)
		}
	}
	res, err := s.run(c, pipeline.Request{
		Task: catalog.TaskDetect, Image: in.image,
		Options: pipeline.Options{MinScore: minConf, Max: models.MaxDetectionsLimit},
	})
	if err != nil {
		return nil, err
	}
	dets, _ := res.Results.([]results.Detection)
	out := deepStackResponse{Success: true, Predictions: make([]deepStackPrediction, len(dets))}
	for i, d := range dets {
		x, y, w, h := d.BBox[0], d.BBox[1], d.BBox[2], d.BBox[3]
		out.Predictions[i] = deepStackPrediction{
			Label: d.Class, Confidence: d.Score,
			XMin: clampPixel(x, res.Width), YMin: clampPixel(y, res.Height),
			XMax: clampPixel(x+w, res.Width), YMax: clampPixel(y+h, res.Height),
		}
	}
	out.Duration = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// clampPixel rounds a coordinate to a whole pixel within [0, size] (NaN to 0).
func clampPixel(v float64, size int) int {
	switch {
	case !(v > 0):
		return 0
	case v > float64(size):
		return size
	}
	return int(math.Round(v))
}
