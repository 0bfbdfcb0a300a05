// Package config is the configuration of the visiond command (`visiond serve` and the model
// commands): the sections each component owns (engine, pipeline, http, mqtt), gathered into
// one struct, read strictly from a YAML file and overridden by VISIOND_* environment variables
// and then by command-line flags. Only cmd/visiond reads it; every component takes its own
// section.
//
// One rule holds in every section: a Config holds the values it runs with. Defaults() gives
// them (per core where it says so), a file, variables and flags change them, and Validate()
// refuses what cannot run; no component reads zero as "the default" later. Adding a section
// is a field on Config, its Defaults and Validate in the component, and its rows in the
// settings table.
package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/visiond/visiond/models"
	"github.com/visiond/visiond/models/catalog"
	"github.com/visiond/visiond/pipeline"
	"github.com/visiond/visiond/transport/camera"
	"github.com/visiond/visiond/transport/httpapi"
	"github.com/visiond/visiond/transport/mqtt"
)

// Config is everything `visiond serve` needs to know.
type Config struct {
	// Models says which models are served and where they are installed.
	Models Models `yaml:"models"`
	// Engine says how models run.
	Engine models.EngineConfig `yaml:"engine"`
	// Pipeline bounds the work admitted and the images accepted, for every transport.
	Pipeline pipeline.Config `yaml:"pipeline"`
	// HTTP is the HTTP API.
	HTTP httpapi.Config `yaml:"http"`
	// MQTT is the MQTT transport: cameras publish frames, visiond publishes results.
	MQTT mqtt.Config `yaml:"mqtt"`
	// Cameras are the streams visiond reads itself.
	Cameras camera.Config `yaml:"cameras"`
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

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text (key=value) or json.
	Format string `yaml:"format"`
}

// Default returns the configuration used where nothing else is said.
func Default() Config {
	return Config{
		Models: Models{
			Dir:  catalog.DefaultDir,
			Load: []string{"coco-ssd", "mobilenet", "posenet"},
		},
		Engine:          models.EngineDefaults(),
		Pipeline:        pipeline.Defaults(),
		HTTP:            httpapi.Defaults(),
		MQTT:            mqtt.Defaults(),
		Cameras:         camera.Defaults(),
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
		// A catalog model or an own model's card in the models folder; a card that cannot be
		// used is the pipeline's to report, beside the models that load.
		_, err := catalog.Store{Dir: c.Models.Dir}.Lookup(name)
		check(err == nil || errors.Is(err, catalog.ErrBadCard), "models.load", "%v", err)
		check(!seen[name], "models.load", "%s is listed twice", name)
		seen[name] = true
	}
	check(c.Models.Dir != "", "models.dir", "empty")
	errs = append(errs, c.Engine.Validate(), c.Pipeline.Validate(), c.HTTP.Validate(), c.Cameras.Validate())
	check(c.Log.Level == "debug" || c.Log.Level == "info" || c.Log.Level == "warn" || c.Log.Level == "error",
		"log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	check(c.Log.Format == "text" || c.Log.Format == "json", "log.format", "must be text or json, not %q", c.Log.Format)
	check(c.ShutdownTimeout > 0, "shutdown_timeout", "must be positive, got %v", c.ShutdownTimeout)
	if c.MQTT.Enabled {
		errs = append(errs, c.MQTT.Validate())
	}
	return errors.Join(errs...)
}

// Redacted returns a copy with the API keys, MQTT passwords and camera URL passwords hidden,
// for printing.
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
	c.Cameras = c.Cameras.Redacted()
	if len(c.MQTT.Embedded.Users) > 0 {
		users := make(map[string]string, len(c.MQTT.Embedded.Users))
		for u := range c.MQTT.Embedded.Users {
			users[u] = hidden
		}
		c.MQTT.Embedded.Users = users
	}
	return c
}
