// Package httpapi is visiond's HTTP API, served with gin: one image in, results out, on
// /v1/<task> for every task of the pipeline (detect, classify, pose, hands), plus the DeepStack detection API, model
// listing, health, readiness, Prometheus metrics and an OpenAPI document. Every image goes
// through the same pipeline as the other transports; this package only reads requests, maps
// errors to status codes (statusOf) and writes answers.
package httpapi

import (
	"context"
	"crypto/tls"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/httpapi/web"
)

// Pipeline is what the server needs from the core: *pipeline.Pipeline.
type Pipeline interface {
	Run(ctx context.Context, req pipeline.Request) (*pipeline.Result, error)
	Models() []pipeline.ModelInfo
	// CheckBusy returns pipeline.ErrBusy when Run would refuse a request now.
	CheckBusy() error
}

var _ Pipeline = (*pipeline.Pipeline)(nil)

// openAPI describes the API; it is served at /openapi.json.
//
//go:embed openapi.json
var openAPI []byte

// Server is the HTTP API. It answers /healthz from the start, and the model routes once Ready
// has given it a pipeline.
type Server struct {
	cfg       Config
	bodyLimit int64
	budget    *bodyBudget
	log       *slog.Logger
	metrics   *httpMetrics
	keys      keyring
	backend   atomic.Pointer[backend]
	cameras   atomic.Pointer[cameraSet]
	closing   atomic.Bool
	http      *http.Server
	// cancelBase ends the context of every request still running when Shutdown gives up.
	cancelBase context.CancelFunc
}

// backend is the pipeline the server answers with, once loaded.
type backend struct {
	pipe   Pipeline
	engine string
}

// New builds the server for cfg, taking images of up to maxImageBytes, and registers its
// metrics on reg. It serves nothing until Serve is called.
func New(cfg Config, maxImageBytes int64, reg *prometheus.Registry, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var tlsConfig *tls.Config
	if cfg.TLS.Enabled() {
		cert, err := tls.LoadX509KeyPair(cfg.TLS.Cert, cfg.TLS.Key)
		if err != nil {
			return nil, fmt.Errorf("http.tls: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	m, err := newHTTPMetrics(reg)
	if err != nil {
		return nil, err
	}
	// Base64 in JSON makes an image 4/3 larger; multipart and JSON add a little around it.
	bodyLimit := maxImageBytes/3*4 + 64<<10
	if cfg.MaxBodyMemory < bodyLimit {
		return nil, fmt.Errorf("http.max_body_memory: %d bytes cannot hold one largest body (%d bytes, from pipeline.max_image_bytes)", cfg.MaxBodyMemory, bodyLimit)
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:        cfg,
		bodyLimit:  bodyLimit,
		budget:     &bodyBudget{limit: cfg.MaxBodyMemory},
		log:        log,
		metrics:    m,
		keys:       newKeyring(cfg.APIKeys),
		cancelBase: cancel,
	}
	s.http = &http.Server{
		Handler:           s.routes(reg),
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		HTTP2:             http2Limits(),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	return s, nil
}

// routes registers every route, top to bottom.
func (s *Server) routes(reg *prometheus.Registry) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no route dump on stdout; gin keeps this process-wide
	r := gin.New()
	r.HandleMethodNotAllowed = true
	_ = r.SetTrustedProxies(nil) // client IPs in logs are the peers', never a header's
	r.Use(s.observe, s.recover)
	r.NoRoute(s.api(func(*gin.Context) (any, error) { return nil, errNoRoute }))
	r.NoMethod(s.api(func(*gin.Context) (any, error) { return nil, errMethod }))

	r.GET("/healthz", s.api(s.healthz))
	r.GET("/readyz", s.api(s.readyz))
	r.GET("/openapi.json", s.api(func(*gin.Context) (any, error) { return json.RawMessage(openAPI), nil }))
	metrics := r.Group("/metrics")
	if s.cfg.MetricsAuth {
		metrics.Use(s.authenticate)
	}
	metrics.GET("", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	// DeepStack clients may send their key as the api_key form field, so this route checks
	// keys itself once the form is read.
	r.POST("/v1/vision/detection", s.deepStack(s.detection))

	web.Register(r) // the browser page: GET / and /ui/..., which only call the routes here

	v1 := r.Group("/v1", s.authenticate)
	v1.GET("/models", s.api(s.models))
	v1.POST("/models/:name/load", s.api(s.loadModel))
	v1.DELETE("/models/:name", s.api(s.unloadModel))
	for _, t := range pipeline.Tasks() {
		v1.POST("/"+string(t.Name), s.api(s.vision(t)))
	}
	s.cameraRoutes(v1)
	return r
}

// Handler is the server's HTTP handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Ready makes the model routes answer with p; engine names what runs the models (for
// /v1/models). /readyz reports ready from then on.
func (s *Server) Ready(p Pipeline, engine string) {
	s.backend.Store(&backend{pipe: p, engine: engine})
}

// Serve answers HTTP (or HTTPS, when TLS is configured) on ln until Shutdown; it then
// returns http.ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	if s.http.TLSConfig != nil {
		return s.http.ServeTLS(ln, "", "") // the certificate was loaded by New
	}
	return s.http.Serve(ln)
}

// Shutdown reports not ready (/readyz 503) while it goes on serving for the configured drain
// period (when it has been ready), then stops accepting connections and waits for the requests in flight to finish.
// When ctx ends first, it cancels them and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	if s.cfg.Drain > 0 && s.backend.Load() != nil { // never ready: no load balancer sends to it
		s.log.Info("draining: /readyz answers 503, requests are still served", "drain", s.cfg.Drain)
		t := time.NewTimer(s.cfg.Drain)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		s.cancelBase()
	}
	return err
}
