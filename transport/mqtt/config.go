package mqtt

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
)

// Config is the mqtt section of visiond's configuration. Start with Defaults and override.
type Config struct {
	// Enabled turns the MQTT transport on (the default).
	Enabled bool `yaml:"enabled"`
	// Broker is the URL of an external broker: tcp://, ssl://, ws:// or wss://. Empty runs
	// the embedded broker instead.
	Broker string `yaml:"broker"`
	// ClientID names this visiond to the broker; empty means "visiond-<host>-<random>". Every
	// instance needs its own.
	ClientID string `yaml:"client_id"`
	// Username and Password log in to the external broker.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// TLS names the files for ssl:// and wss:// brokers.
	TLS TLSFiles `yaml:"tls"`
	// Embedded configures the broker visiond runs itself when Broker is empty.
	Embedded Embedded `yaml:"embedded"`
	// Prefix is the first level of every topic visiond uses.
	Prefix string `yaml:"prefix"`
	// QoS is the quality of service of subscriptions and of everything visiond publishes.
	QoS int `yaml:"qos"`
	// ShareGroup, when set, subscribes through $share/<group>/... so the instances of a group
	// split the frames between them.
	ShareGroup string `yaml:"share_group"`
	// Annotated publishes each frame with its results drawn on it, as JPEG.
	Annotated bool `yaml:"annotated"`
	// HomeAssistant publishes Home Assistant MQTT discovery configs (retained, under
	// homeassistant/): each camera a device with a count sensor and a presence binary sensor
	// per label seen, and an image of the annotated frame when Annotated is on.
	HomeAssistant bool `yaml:"home_assistant"`
	// Routes say which models run on which cameras, first match wins. None means coco-ssd
	// (the default detection model) on every camera.
	Routes []Route `yaml:"routes"`
	// MaxPayload is the largest message accepted, in bytes; larger ones get an error message.
	MaxPayload int64 `yaml:"max_payload_bytes"`
	// Workers is how many messages are processed at once.
	Workers int `yaml:"workers"`
}

// TLSFiles are PEM files for a TLS connection to the broker.
type TLSFiles struct {
	// CA verifies the broker's certificate; empty uses the system's roots.
	CA string `yaml:"ca"`
	// Cert and Key are the client certificate and its key, for brokers that ask for one.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Embedded configures the broker visiond runs when no external one is set.
type Embedded struct {
	// Listen is the TCP address cameras connect to: loopback by default. Beyond loopback it
	// needs Users, or AllowAnonymous.
	Listen string `yaml:"listen"`
	// Users, when set, are the only username/password pairs allowed in; empty allows anyone
	// who can reach Listen.
	Users map[string]string `yaml:"users"`
	// AllowAnonymous lets clients in without a login when Listen is beyond loopback.
	AllowAnonymous bool `yaml:"allow_anonymous"`
	// ACL is what clients other than visiond may do: ACLCameras or ACLOpen.
	ACL string `yaml:"acl"`
	// TrustLoopback lets clients that connect over loopback (programs on this machine, such
	// as Node-RED beside visiond) use every topic, whatever the ACL.
	TrustLoopback bool `yaml:"trust_loopback"`
}

// The access rules of the embedded broker.
const (
	// ACLCameras lets each client publish only its own camera's frames (<prefix>/<name>/image,
	// its name being its username, or its client id when anonymous) and requests, and read
	// only its own camera's topics and <prefix>/status; topics outside <prefix>/ are free.
	ACLCameras = "cameras"
	// ACLOpen lets every client publish and read every topic.
	ACLOpen = "open"
)

// Route runs models on the frames of the cameras a topic filter matches.
type Route struct {
	// Filter is <prefix>/<camera>/image, or <prefix>/+/image for every camera.
	Filter string `yaml:"filter"`
	// Models are catalog names, at most one per task; empty means the default detection model.
	Models []string `yaml:"models"`
	// MinScore, Max, Classes, Top and Multi tune the tasks as in pipeline.Options.
	MinScore float64  `yaml:"min_score"`
	Max      int      `yaml:"max"`
	Classes  []string `yaml:"classes"`
	Top      int      `yaml:"top"`
	Multi    bool     `yaml:"multi"`
}

// Defaults is the configuration used when nothing is set: the embedded broker on loopback port
// 1883, each client from another machine limited to its own camera's topics, topics under visiond/, QoS 1, coco-ssd on every camera, payloads up to 16 MiB.
func Defaults() Config {
	return Config{
		Enabled:    true,
		Embedded:   Embedded{Listen: "127.0.0.1:1883", ACL: ACLCameras, TrustLoopback: true},
		Prefix:     "visiond",
		QoS:        1,
		MaxPayload: 16 << 20,
		Workers:    runtime.NumCPU(),
	}
}

// brokerSchemes are the URL schemes Broker may use, and whether they speak TLS.
var brokerSchemes = map[string]bool{"tcp": false, "ssl": true, "ws": false, "wss": true}

// Validate reports every setting that cannot work, each named by its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("mqtt."+format, args...)) }
	if c.Broker == "" && c.Embedded.Listen == "" {
		bad("broker: set an external broker, or embedded.listen for the embedded one")
	}
	if c.Broker == "" && c.Embedded.Listen != "" {
		if err := c.Embedded.validate(); err != nil {
			bad("embedded.%v", err)
		}
	}
	if c.Broker != "" {
		u, err := url.Parse(c.Broker)
		tls, known := false, false
		if err == nil {
			tls, known = brokerSchemes[u.Scheme]
		}
		switch {
		case err != nil || !known || u.Host == "":
			bad("broker: %q is not a tcp://, ssl://, ws:// or wss:// URL with a host", c.Broker)
		case !tls && c.TLS != (TLSFiles{}):
			bad("tls: set, but broker %q does not use TLS (use ssl:// or wss://)", c.Broker)
		}
	} else if c.TLS != (TLSFiles{}) {
		bad("tls: applies to an external broker, and mqtt.broker is not set")
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		bad("tls: cert and key go together")
	}
	if c.Password != "" && c.Username == "" {
		bad("password: set without a username")
	}
	if err := topicLevels(c.Prefix); err != nil {
		bad("prefix: %v", err)
	}
	if c.QoS < 0 || c.QoS > 2 {
		bad("qos: must be 0, 1 or 2, got %d", c.QoS)
	}
	if strings.ContainsAny(c.ShareGroup, "/+#") {
		bad("share_group: %q may not contain /, + or #", c.ShareGroup)
	}
	if c.MaxPayload <= 0 {
		bad("max_payload_bytes: must be positive, got %d", c.MaxPayload)
	}
	if c.Workers < 1 {
		bad("workers: must be at least 1, got %d", c.Workers)
	}
	seen := map[string]bool{}
	for i, r := range c.Routes {
		if err := r.validate(c.Prefix); err != nil {
			bad("routes[%d]: %v", i, err)
		}
		if seen[r.Filter] {
			bad("routes[%d]: filter %q appears twice", i, r.Filter)
		}
		seen[r.Filter] = true
	}
	return errors.Join(errs...)
}

// validate checks a route's filter shape and option ranges.
func (r Route) validate(prefix string) error {
	if _, err := routeCamera(prefix, r.Filter); err != nil {
		return err
	}
	switch {
	case r.MinScore < 0 || r.MinScore > 1:
		return fmt.Errorf("min_score must be between 0 and 1, got %g", r.MinScore)
	case r.Max < 0 || r.Top < 0:
		return fmt.Errorf("max and top may not be negative")
	}
	return nil
}

// routeCamera returns the camera a route filter names, "+" for all of them.
func routeCamera(prefix, filter string) (string, error) {
	camera, ok := strings.CutPrefix(filter, prefix+"/")
	if ok {
		camera, ok = strings.CutSuffix(camera, "/image")
	}
	if !ok || camera == "" || (camera != "+" && strings.ContainsAny(camera, "/+#")) {
		return "", fmt.Errorf("filter %q: must be %s/<camera>/image or %s/+/image", filter, prefix, prefix)
	}
	return camera, nil
}

// topicLevels checks that s can start a topic: not empty, no wildcards, no $ start, no
// empty level.
func topicLevels(s string) error {
	switch {
	case s == "":
		return errors.New("may not be empty")
	case strings.ContainsAny(s, "+#"):
		return fmt.Errorf("%q may not contain + or #", s)
	case strings.HasPrefix(s, "$"):
		return fmt.Errorf("%q may not start with $", s)
	case strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//"):
		return fmt.Errorf("%q has an empty level", s)
	}
	return nil
}

// validate checks the listen address against the logins it requires, and the ACL.
func (e Embedded) validate() error {
	host, _, err := net.SplitHostPort(e.Listen)
	switch {
	case err != nil:
		return fmt.Errorf("listen: want HOST:PORT or :PORT, got %q", e.Listen)
	case !loopback(host) && len(e.Users) == 0 && !e.AllowAnonymous:
		return fmt.Errorf("users: required when the embedded broker listens beyond loopback (%s), so that not every device on the network can read the frames; or set allow_anonymous: true", e.Listen)
	case e.ACL != ACLCameras && e.ACL != ACLOpen:
		return fmt.Errorf("acl: must be %s or %s, got %q", ACLCameras, ACLOpen, e.ACL)
	}
	return nil
}

// loopback reports whether host names only this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
