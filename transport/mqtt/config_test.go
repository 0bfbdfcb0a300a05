package mqtt

import (
	"strings"
	"testing"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" for valid
	}{
		{"external tcp broker", func(c *Config) { c.Broker = "tcp://broker.lan:1883" }, ""},
		{"TLS broker with files", func(c *Config) {
			c.Broker, c.TLS = "ssl://broker.lan:8883", TLSFiles{CA: "ca.pem", Cert: "c.pem", Key: "k.pem"}
		}, ""},
		{"websocket broker", func(c *Config) { c.Broker = "ws://broker.lan:9001/mqtt" }, ""},
		{"routes", func(c *Config) {
			c.Routes = []Route{{Filter: "visiond/garage/image", Models: []string{"coco-ssd", "mobilenet"}}, {Filter: "visiond/+/image"}}
		}, ""},
		{"nothing to connect to", func(c *Config) { c.Embedded.Listen = "" }, "mqtt.broker: set an external broker"},
		{"every interface, no users", func(c *Config) { c.Embedded.Listen = ":1883" }, "mqtt.embedded.users: required when the embedded broker listens beyond loopback"},
		{"LAN address, no users", func(c *Config) { c.Embedded.Listen = "192.168.1.5:1883" }, "mqtt.embedded.users: required"},
		{"every interface, users", func(c *Config) { c.Embedded.Listen, c.Embedded.Users = ":1883", map[string]string{"porch": "pw"} }, ""},
		{"every interface, anonymous allowed", func(c *Config) { c.Embedded.Listen, c.Embedded.AllowAnonymous = ":1883", true }, ""},
		{"localhost", func(c *Config) { c.Embedded.Listen = "localhost:1883" }, ""},
		{"IPv6 loopback", func(c *Config) { c.Embedded.Listen = "[::1]:1883" }, ""},
		{"unknown ACL", func(c *Config) { c.Embedded.ACL = "none" }, "mqtt.embedded.acl: must be cameras or open"},
		{"unknown scheme", func(c *Config) { c.Broker = "http://broker.lan" }, `mqtt.broker: "http://broker.lan" is not`},
		{"no host", func(c *Config) { c.Broker = "tcp://" }, "with a host"},
		{"TLS files on plain broker", func(c *Config) { c.Broker, c.TLS.CA = "tcp://b:1883", "ca.pem" }, "mqtt.tls: set, but broker"},
		{"TLS files without broker", func(c *Config) { c.TLS.CA = "ca.pem" }, "mqtt.tls: applies to an external broker"},
		{"cert without key", func(c *Config) { c.Broker, c.TLS.Cert = "ssl://b:8883", "c.pem" }, "cert and key go together"},
		{"password alone", func(c *Config) { c.Password = "x" }, "mqtt.password"},
		{"empty prefix", func(c *Config) { c.Prefix = "" }, "mqtt.prefix: may not be empty"},
		{"wildcard prefix", func(c *Config) { c.Prefix = "a/+" }, "mqtt.prefix"},
		{"slash prefix", func(c *Config) { c.Prefix = "/visiond" }, "empty level"},
		{"qos 3", func(c *Config) { c.QoS = 3 }, "mqtt.qos"},
		{"share group with slash", func(c *Config) { c.ShareGroup = "a/b" }, "mqtt.share_group"},
		{"zero payload", func(c *Config) { c.MaxPayload = 0 }, "mqtt.max_payload_bytes"},
		{"negative workers", func(c *Config) { c.Workers = -1 }, "mqtt.workers"},
		{"route outside prefix", func(c *Config) { c.Routes = []Route{{Filter: "cams/+/image"}} }, "mqtt.routes[0]: filter"},
		{"route with #", func(c *Config) { c.Routes = []Route{{Filter: "visiond/#"}} }, "mqtt.routes[0]"},
		{"route not image", func(c *Config) { c.Routes = []Route{{Filter: "visiond/a/detections"}} }, "mqtt.routes[0]"},
		{"route score", func(c *Config) { c.Routes = []Route{{Filter: "visiond/+/image", MinScore: 2}} }, "min_score"},
		{"route twice", func(c *Config) {
			c.Routes = []Route{{Filter: "visiond/+/image"}, {Filter: "visiond/+/image"}}
		}, "mqtt.routes[1]: filter \"visiond/+/image\" appears twice"},
	}
	for _, c := range cases {
		cfg := Defaults()
		c.edit(&cfg)
		err := cfg.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Defaults()
	cfg.QoS, cfg.Prefix = 5, ""
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "mqtt.qos") || !strings.Contains(err.Error(), "mqtt.prefix") {
		t.Fatalf("got %v, want both qos and prefix named", err)
	}
}
