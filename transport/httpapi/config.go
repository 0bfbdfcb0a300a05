package httpapi

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Config configures the HTTP API: the `http` section of visiond.yaml.
type Config struct {
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

// Defaults listen on port 8080 of every interface, give each request 10 s, and guard
// /metrics with the API keys when there are any.
func Defaults() Config {
	return Config{Addr: ":8080", RequestTimeout: 10 * time.Second, MetricsAuth: true}
}

// Validate checks every field, naming it by its YAML key.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, key, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("http.%s: "+format, append([]any{key}, args...)...))
		}
	}
	_, _, err := net.SplitHostPort(c.Addr)
	check(err == nil, "addr", "want HOST:PORT or :PORT, got %q", c.Addr)
	check(c.RequestTimeout > 0, "request_timeout", "must be positive, got %v", c.RequestTimeout)
	for _, k := range c.APIKeys {
		check(k != "", "api_keys", "empty key")
	}
	check((c.TLS.Cert == "") == (c.TLS.Key == ""), "tls", "cert and key go together")
	return errors.Join(errs...)
}
