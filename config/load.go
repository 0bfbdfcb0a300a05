package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultFile is the configuration file read when none is named and it exists in the working
// directory.
const DefaultFile = "visiond.yaml"

// setting is one field that an environment variable and a flag can override.
type setting struct {
	flag, env, usage string
	// field returns a pointer to the field in c: *string, *[]string, *int, *int64, *bool,
	// *time.Duration, or a value that parses itself (each flag adds to it).
	field func(c *Config) any
}

// settings are the overridable fields. Lists are comma-separated in flags and variables.
var settings = []setting{
	{"addr", "VISIOND_ADDR", "listen on `HOST:PORT`", func(c *Config) any { return &c.HTTP.Addr }},
	{"models", "VISIOND_MODELS", "serve these `MODELS`, comma-separated", func(c *Config) any { return &c.Models.Load }},
	{"dir", "VISIOND_MODELS_DIR", "read models from `DIR` (where visiond models pull installs them)", func(c *Config) any { return &c.Models.Dir }},
	{"ort-lib", "VISIOND_ORT_LIB", "ONNX Runtime `LIBRARY` (empty: the one make setup installs)", func(c *Config) any { return &c.Engine.Library }},
	{"convert", "VISIOND_CONVERT", "run quantised TFLite graphs as `per-model|float|qdq`", func(c *Config) any { return &c.Engine.Convert }},
	{"threads", "VISIOND_THREADS", "most `N` threads one inference uses (alone; beside others, one each)", func(c *Config) any { return &c.Engine.Threads }},
	{"workers", "VISIOND_WORKERS", "run `N` inferences at once", func(c *Config) any { return &c.Pipeline.Workers }},
	{"queue", "VISIOND_QUEUE", "let `N` requests wait for a worker; more are refused at once (503)", func(c *Config) any { return &c.Pipeline.Queue }},
	{"max-image-bytes", "VISIOND_MAX_IMAGE_BYTES", "refuse images over `BYTES` (413)", func(c *Config) any { return &c.Pipeline.MaxImageBytes }},
	{"max-pixels", "VISIOND_MAX_PIXELS", "refuse images over `PIXELS`, width×height read from the header (413)", func(c *Config) any { return &c.Pipeline.MaxPixels }},
	{"request-timeout", "VISIOND_REQUEST_TIMEOUT", "`DURATION` each HTTP request may take (504)", func(c *Config) any { return &c.HTTP.RequestTimeout }},
	{"api-keys", "VISIOND_API_KEYS", "require one of these `KEYS`, comma-separated (prefer the variable: flags show in ps)", func(c *Config) any { return &c.HTTP.APIKeys }},
	{"metrics-auth", "VISIOND_METRICS_AUTH", "whether /metrics needs a key when keys are set: `true|false`", func(c *Config) any { return &c.HTTP.MetricsAuth }},
	{"max-body-memory", "VISIOND_MAX_BODY_MEMORY", "`BYTES` all request bodies may hold together; past it 503", func(c *Config) any { return &c.HTTP.MaxBodyMemory }},
	{"drain", "VISIOND_DRAIN", "`DURATION` /readyz answers 503 on SIGTERM before the listener closes", func(c *Config) any { return &c.HTTP.Drain }},
	{"tls-cert", "VISIOND_TLS_CERT", "serve HTTPS with this PEM certificate `FILE`", func(c *Config) any { return &c.HTTP.TLS.Cert }},
	{"tls-key", "VISIOND_TLS_KEY", "PEM private key `FILE` of --tls-cert", func(c *Config) any { return &c.HTTP.TLS.Key }},
	{"mqtt", "VISIOND_MQTT", "run the MQTT transport: `true|false`", func(c *Config) any { return &c.MQTT.Enabled }},
	{"mqtt-broker", "VISIOND_MQTT_BROKER", "connect to this broker `URL` (tcp://, ssl://, ws://, wss://); empty runs the embedded broker", func(c *Config) any { return &c.MQTT.Broker }},
	{"mqtt-listen", "VISIOND_MQTT_LISTEN", "embedded broker listens on `ADDR`", func(c *Config) any { return &c.MQTT.Embedded.Listen }},
	{"mqtt-share-group", "VISIOND_MQTT_SHARE_GROUP", "split frames with the other instances of this `GROUP` (MQTT shared subscriptions)", func(c *Config) any { return &c.MQTT.ShareGroup }},
	{"mqtt-annotated", "VISIOND_MQTT_ANNOTATED", "publish annotated frames: `true|false`", func(c *Config) any { return &c.MQTT.Annotated }},
	{"camera", "VISIOND_CAMERAS", "read the camera `NAME=URL` (rtsp://, http(s):// MJPEG, /dev/videoN or a video file); repeat for more (the variable: space-separated)", func(c *Config) any { return &c.Cameras }},
	{"mqtt-home-assistant", "VISIOND_MQTT_HOME_ASSISTANT", "publish Home Assistant MQTT discovery configs: `true|false`", func(c *Config) any { return &c.MQTT.HomeAssistant }},
	{"log-level", "VISIOND_LOG_LEVEL", "log `LEVEL`: debug, info, warn or error", func(c *Config) any { return &c.Log.Level }},
	{"log-format", "VISIOND_LOG_FORMAT", "log `FORMAT`: text or json", func(c *Config) any { return &c.Log.Format }},
	{"shutdown-timeout", "VISIOND_SHUTDOWN_TIMEOUT", "`DURATION` in-flight requests may take to finish on SIGTERM", func(c *Config) any { return &c.ShutdownTimeout }},
}

// Load builds the effective configuration from, in rising order of precedence: the defaults,
// the YAML file (--config or VISIOND_CONFIG, else DefaultFile when it exists), the VISIOND_*
// variables that lookupEnv finds, and the flags in args. It registers its flags on fs (every
// setting's, or only those named in flags), parses args with fs, which reports parse errors
// and -h, and leaves fs.Args() to the caller. It returns the configuration, validated, and
// the file read ("" when none).
func Load(fs *flag.FlagSet, args []string, lookupEnv func(string) (string, bool), flags ...string) (Config, string, error) {
	def := Default()
	file := fs.String("config", "", "YAML configuration `FILE` (env VISIOND_CONFIG; default "+DefaultFile+" when present)")
	type given struct {
		s *setting
		v string
	}
	var fromFlags []given
	for i := range settings {
		s := &settings[i]
		if len(flags) > 0 && !slices.Contains(flags, s.flag) {
			continue
		}
		fs.Func(s.flag, fmt.Sprintf("%s (env %s; default %s)", s.usage, s.env, show(s.field(&def))), func(v string) error {
			if err := set(s.field(new(Config)), v); err != nil {
				return err
			}
			fromFlags = append(fromFlags, given{s, v})
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, "", err
	}

	path, explicit := *file, *file != ""
	if !explicit {
		path, explicit = lookupEnv("VISIOND_CONFIG")
	}
	if !explicit {
		if _, err := os.Stat(DefaultFile); err == nil {
			path = DefaultFile
		}
	}
	cfg := def
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, "", fmt.Errorf("config: %w", err)
		}
		if err := Parse(data, &cfg); err != nil {
			return Config{}, "", fmt.Errorf("config %s: %w", path, err)
		}
	}
	for i := range settings {
		s := &settings[i]
		if v, ok := lookupEnv(s.env); ok {
			if err := set(s.field(&cfg), v); err != nil {
				return Config{}, "", fmt.Errorf("config: %s=%q: %w", s.env, v, err)
			}
		}
	}
	for _, g := range fromFlags {
		set(g.s.field(&cfg), g.v) // checked when parsed
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, "", fmt.Errorf("config: %w", err)
	}
	return cfg, path, nil
}

// Parse reads YAML into cfg, over the values already there. Keys that name no field are
// errors with their line, as are duplicate keys and values of the wrong type.
func Parse(data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if errors.Is(err, io.EOF) {
		return nil // an empty file changes nothing
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return err
}

// set parses v into the field p points to. Errors say what v should be.
func set(p any, v string) error {
	var err error
	want := "a whole number"
	switch p := p.(type) {
	case *string:
		*p = v
	case *[]string:
		*p = splitList(v)
	case *int:
		*p, err = strconv.Atoi(v)
	case *int64:
		*p, err = strconv.ParseInt(v, 10, 64)
	case *bool:
		*p, err = strconv.ParseBool(v)
		want = "true or false"
	case *time.Duration:
		*p, err = time.ParseDuration(v)
		want = "a duration such as 500ms, 10s or 1m"
	case interface{ Set(string) error }:
		return p.Set(v)
	default:
		panic(fmt.Sprintf("config: setting of unhandled type %T", p))
	}
	if err != nil {
		return fmt.Errorf("want %s", want)
	}
	return nil
}

// show formats the field p points to for a flag's help.
func show(p any) string {
	var s string
	switch p := p.(type) {
	case *string:
		s = *p
	case *[]string:
		s = strings.Join(*p, ",")
	case *int:
		s = strconv.Itoa(*p)
	case *int64:
		s = strconv.FormatInt(*p, 10)
	case *bool:
		s = strconv.FormatBool(*p)
	case *time.Duration:
		s = p.String()
	case fmt.Stringer:
		s = p.String()
	}
	if s == "" {
		return `""`
	}
	return s
}

// splitList splits a comma-separated list, dropping spaces and empty items.
func splitList(v string) []string {
	out := []string{}
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Print writes c as YAML, API keys redacted, under a comment naming its source file ("" for
// none). Without the keys, the output reads back as the same configuration.
func Print(w io.Writer, c Config, file string) error {
	source := "defaults, environment and flags; no file"
	if file != "" {
		source = "file " + file + ", then environment and flags"
	}
	if _, err := fmt.Fprintf(w, "# visiond effective configuration (%s)\n", source); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c.Redacted()); err != nil {
		return err
	}
	return enc.Close()
}
