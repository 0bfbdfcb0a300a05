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
	// MaxBodyMemory bounds the bytes all request bodies being read or waiting for their
	// answer hold together; a request that would pass it is answered 503 with Retry-After
	// before more of its body is read. It must hold at least one largest body.
	MaxBodyMemory int64 `yaml:"max_body_memory"`
	// DeepStackFormKey lets the DeepStack route read a multipart form to find its api_key
	// field when the key is in no header and not in the query, as DeepStack clients send it.
	// False checks the key before any body is read there too.
	DeepStackFormKey bool `yaml:"deepstack_form_key"`
	// Drain is how long, after SIGTERM, the server keeps listening and answers /readyz with
	// 503 before it stops accepting connections, so that load balancers stop sending.
	Drain time.Duration `yaml:"drain"`
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

// Defaults listen on port 8080 of every interface, give each request 10 s, guard /metrics
// with the API keys when there are any, let request bodies hold 128 MiB together, read
// DeepStack forms for their key, and drain for 5 s on SIGTERM.
func Defaults() Config {
	return Config{
		Addr: ":8080", RequestTimeout: 10 * time.Second, MetricsAuth: true,
		MaxBodyMemory: 128 << 20, DeepStackFormKey: true, Drain: 5 * time.Second,
	}
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
	check(c.MaxBodyMemory > 0, "max_body_memory", "must be positive, got %d", c.MaxBodyMemory)
	check(c.Drain >= 0, "drain", "may not be negative, got %v", c.Drain)
	return errors.Join(errs...)
}
