// Package config is the configuration of the visiond daemon (`visiond serve`): one plain struct
// with its defaults in code, read strictly from a YAML file and overridden by VISIOND_*
// environment variables and then by command-line flags.
//
// It sits beside the rooms it configures (models, inference, transport) rather than in one of
// them: each transport takes its own section (http, mqtt) and cmd/visiond wires the rest. Adding a section is a field on Config, its defaults in Default, its checks in Validate
// and its rows in the settings table.
package config

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"time"

	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/models/preprocess"
	"github.com/visiond/visiond/transport/mqtt"
)

// Config is everything `visiond serve` needs to know.
type Config struct {
	// Models says which models are served and where they are installed.
	Models Models `yaml:"models"`
	// Engine says how models run.
	Engine Engine `yaml:"engine"`
	// Pipeline bounds the work admitted and the images accepted, for every transport.
	Pipeline Pipeline `yaml:"pipeline"`
	// HTTP is the HTTP API.
	HTTP HTTP `yaml:"http"`
	// MQTT is the MQTT transport: cameras publish frames, visiond publishes results.
	MQTT mqtt.Config `yaml:"mqtt"`
	// Log is the daemon's logging.
	Log Log `yaml:"log"`
	// ShutdownTimeout bounds a graceful shutdown: how long in-flight requests may take to
	// finish after SIGTERM or SIGINT before the daemon stops anyway.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Models says which models are served and where they are installed.
type Models struct {
	// Dir is the models directory (`visiond models pull` installs there).
	Dir string `yaml:"dir"`
	// Load are the catalog names of the models to serve; the first of each task is that task's
	// default.
	Load []string `yaml:"load"`
}

// Engine says how models run.
type Engine struct {
	// Library is the ONNX Runtime shared library; empty means the one `make setup` installs.
	Library string `yaml:"library"`
	// Convert is how quantised TFLite graphs run: float or qdq.
	Convert string `yaml:"convert"`
	// Threads is the number of threads one inference may use.
	Threads int `yaml:"threads"`
}

// Pipeline bounds the work admitted and the images accepted.
type Pipeline struct {
	// Workers is how many requests run at once.
	Workers int `yaml:"workers"`
	// Queue is how many more requests may wait for a worker; beyond that they are refused at
	// once (HTTP 503). Zero means none may wait.
	Queue int `yaml:"queue"`
	// MaxImageBytes is the largest encoded image accepted.
	MaxImageBytes int64 `yaml:"max_image_bytes"`
	// MaxPixels is the largest width×height accepted, checked from the image header before
	// decoding.
	MaxPixels int64 `yaml:"max_pixels"`
}

// HTTP configures the HTTP API.
type HTTP struct {
	// Addr is the HOST:PORT to listen on; an empty host means every interface.
	Addr string `yaml:"addr"`
	// RequestTimeout is the deadline of each request, from its first byte to its answer.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// APIKeys, when not empty, are the keys clients must present (Authorization: Bearer KEY,
	// X-API-Key: KEY, or the DeepStack api_key form field). /healthz and /readyz stay open.
	APIKeys []string `yaml:"api_keys"`
	// MetricsAuth makes /metrics need an API key too (when keys are set).
	MetricsAuth bool `yaml:"metrics_auth"`
	// TLS, when both files are set, serves HTTPS.
	TLS TLS `yaml:"tls"`
}

// TLS names the certificate and key of an HTTPS listener.
type TLS struct {
	// Cert is a PEM certificate file (with its chain).
	Cert string `yaml:"cert"`
	// Key is the PEM private key file of Cert.
	Key string `yaml:"key"`
}

// Enabled reports whether HTTPS is configured.
func (t TLS) Enabled() bool { return t.Cert != "" }

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text (key=value) or json.
	Format string `yaml:"format"`
}

// Default returns the configuration used where nothing else is said.
//
// Workers and Threads come from measurements on a 2-core amd64 VM (see the README's load
// test): one single-threaded inference per core gave the most requests per second and the
// lowest tail latency; two inferences of two threads each oversubscribe the cores.
func Default() Config {
	workers := runtime.NumCPU()
	return Config{
		Models: Models{
			Dir:  catalog.DefaultDir,
			Load: []string{"coco-ssd", "mobilenet", "posenet"},
		},
		Engine: Engine{Convert: "float", Threads: 1},
		Pipeline: Pipeline{
			Workers:       workers,
			Queue:         4 * workers,
			MaxImageBytes: preprocess.DefaultLimits.MaxBytes,
			MaxPixels:     preprocess.DefaultLimits.MaxPixels,
		},
		HTTP: HTTP{
			Addr:           ":8080",
			RequestTimeout: 10 * time.Second,
			MetricsAuth:    true,
		},
		MQTT:            mqtt.Defaults(),
		Log:             Log{Level: "info", Format: "text"},
		ShutdownTimeout: 30 * time.Second,
	}
}

// Validate checks every field, naming the first bad one by its YAML path.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, key, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
		}
	}
	check(len(c.Models.Load) > 0, "models.load", "no models to serve")
	seen := map[string]bool{}
	for _, name := range c.Models.Load {
		_, err := catalog.Lookup(name)
		check(err == nil, "models.load", "%v", err)
		check(!seen[name], "models.load", "%s is listed twice", name)
		seen[name] = true
	}
	check(c.Models.Dir != "", "models.dir", "empty")
	check(c.Engine.Convert == "float" || c.Engine.Convert == "qdq", "engine.convert", "must be float or qdq, not %q", c.Engine.Convert)
	check(c.Engine.Threads >= 1, "engine.threads", "must be at least 1, got %d", c.Engine.Threads)
	check(c.Pipeline.Workers >= 1, "pipeline.workers", "must be at least 1, got %d", c.Pipeline.Workers)
	check(c.Pipeline.Queue >= 0, "pipeline.queue", "must not be negative, got %d", c.Pipeline.Queue)
	check(c.Pipeline.MaxImageBytes >= 1, "pipeline.max_image_bytes", "must be positive, got %d", c.Pipeline.MaxImageBytes)
	check(c.Pipeline.MaxPixels >= 1, "pipeline.max_pixels", "must be positive, got %d", c.Pipeline.MaxPixels)
	_, _, err := net.SplitHostPort(c.HTTP.Addr)
	check(err == nil, "http.addr", "want HOST:PORT or :PORT, got %q", c.HTTP.Addr)
	check(c.HTTP.RequestTimeout > 0, "http.request_timeout", "must be positive, got %v", c.HTTP.RequestTimeout)
	for _, k := range c.HTTP.APIKeys {
		check(k != "", "http.api_keys", "empty key")
	}
	check((c.HTTP.TLS.Cert == "") == (c.HTTP.TLS.Key == ""), "http.tls", "cert and key go together")
	check(c.Log.Level == "debug" || c.Log.Level == "info" || c.Log.Level == "warn" || c.Log.Level == "error",
		"log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	check(c.Log.Format == "text" || c.Log.Format == "json", "log.format", "must be text or json, not %q", c.Log.Format)
	check(c.ShutdownTimeout > 0, "shutdown_timeout", "must be positive, got %v", c.ShutdownTimeout)
	if c.MQTT.Enabled {
		errs = append(errs, c.MQTT.Validate())
	}
	return errors.Join(errs...)
}

// Redacted returns a copy with the API keys and MQTT passwords hidden, for printing.
func (c Config) Redacted() Config {
	const hidden = "<redacted>"
	if len(c.HTTP.APIKeys) > 0 {
		keys := make([]string, len(c.HTTP.APIKeys))
		for i := range keys {
			keys[i] = hidden
		}
		c.HTTP.APIKeys = keys
	}
	if c.MQTT.Password != "" {
		c.MQTT.Password = hidden
	}
	if len(c.MQTT.Embedded.Users) > 0 {
		users := make(map[string]string, len(c.MQTT.Embedded.Users))
		for u := range c.MQTT.Embedded.Users {
			users[u] = hidden
		}
		c.MQTT.Embedded.Users = users
	}
	return c
}
