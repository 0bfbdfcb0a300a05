package check

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// composeFile is the part of the Compose specification deploy/compose.yaml uses. It is read
// strictly: a key it does not name (a typo, or a feature the test does not check) is an error.
type composeFile struct {
	Name     string                    `json:"name"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]struct{}       `json:"volumes"`
}

// composeService is one service of the Compose file.
type composeService struct {
	Image     string   `json:"image"`
	Command   []string `json:"command"`
	DependsOn map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	// Environment is in list form: NAME=value, or NAME to pass the shell's value on.
	Environment []string `json:"environment"`
	Volumes     []string `json:"volumes"`
	Ports       []string `json:"ports"`
	Healthcheck *struct {
		Test        []string `json:"test"`
		Interval    string   `json:"interval"`
		Timeout     string   `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod string   `json:"start_period"`
	} `json:"healthcheck"`
	Restart string `json:"restart"`
}

// composeDir is the folder of the Compose file, which its relative paths start from.
var composeDir = filepath.Join(repoRoot, "deploy")

// readCompose reads deploy/compose.yaml strictly.
func readCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(composeDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return f
}

// mount finds the volume of a service mounted at target: its source and options.
func (s composeService) mount(t *testing.T, target string) (source, options string) {
	t.Helper()
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0], strings.Join(parts[2:], ":")
		}
	}
	t.Fatalf("nothing is mounted at %s (volumes %v)", target, s.Volumes)
	return "", ""
}

// env returns a variable's value in a service's environment list.
func (s composeService) env(name string) (string, bool) {
	for _, e := range s.Environment {
		if k, v, _ := strings.Cut(e, "="); k == name {
			return v, true
		}
	}
	return "", false
}

// publishes reports whether the service publishes a container port.
func (s composeService) publishes(port string) bool {
	return slices.ContainsFunc(s.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+port) })
}

// appVersion is the chart's appVersion: the visiond release both recipes deploy.
func appVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, chart, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil || c.AppVersion == "" {
		t.Fatalf("Chart.yaml appVersion: %v", err)
	}
	return c.AppVersion
}

// mosquittoPort is the port of the listener a Mosquitto configuration opens.
func mosquittoPort(t *testing.T, conf string) string {
	t.Helper()
	var ports []string
	for _, line := range strings.Split(conf, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "listener" {
			ports = append(ports, f[1])
		}
	}
	if len(ports) != 1 {
		t.Fatalf("mosquitto.conf opens listeners %v, want one", ports)
	}
	return ports[0]
}

// TestCompose checks how deploy/compose.yaml wires its services, then runs what it describes
// on this machine: Mosquitto with the Compose file's configuration, the models service's
// command, and visiond with its configuration file, each moved to free loopback ports. The
// health check, Node-RED's detection URL and a camera frame through the broker must answer.
// (No container engine runs here, and the Mosquitto and Node-RED images are not pulled.)
func TestCompose(t *testing.T) {
	f := readCompose(t)
	var names []string
	for name := range f.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"models", "mosquitto", "node-red", "visiond"}; !slices.Equal(names, want) {
		t.Fatalf("services %v, want %v", names, want)
	}
	broker, models, daemon, nodeRed := f.Services["mosquitto"], f.Services["models"], f.Services["visiond"], f.Services["node-red"]

	// Images: visiond's own at the chart's release, the others by their image names.
	image := "visiond:" + appVersion(t)
	for _, c := range []struct{ service, image, want string }{
		{"models", models.Image, image}, {"visiond", daemon.Image, image},
		{"mosquitto", broker.Image, "eclipse-mosquitto:2"}, {"node-red", nodeRed.Image, "nodered/node-red:4.1"},
	} {
		if c.image != c.want {
			t.Errorf("%s runs image %q, want %q", c.service, c.image, c.want)
		}
	}

	// Every file mounted exists; every named volume is declared.
	for name, s := range f.Services {
		for _, v := range s.Volumes {
			src := strings.Split(v, ":")[0]
			if strings.HasPrefix(src, ".") {
				if _, err := os.Stat(filepath.Join(composeDir, src)); err != nil {
					t.Errorf("%s mounts %s: %v", name, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				t.Errorf("%s mounts volume %s, which is not declared", name, src)
			}
		}
	}

	// Start order: models pulled, broker up, then visiond; Node-RED once visiond is healthy.
	conditions := map[string]map[string]string{
		"visiond":  {"models": "service_completed_successfully", "mosquitto": "service_started"},
		"node-red": {"visiond": "service_healthy", "mosquitto": "service_started"},
	}
	for name, want := range conditions {
		got := map[string]string{}
		for dep, d := range f.Services[name].DependsOn {
			got[dep] = d.Condition
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s depends on %v, want %v", name, got, want)
		}
	}

	// Mosquitto: its configuration file, its one listener, published.
	confFile, _ := broker.mount(t, "/mosquitto/config/mosquitto.conf")
	conf, err := os.ReadFile(filepath.Join(composeDir, confFile))
	if err != nil {
		t.Fatal(err)
	}
	brokerPort := mosquittoPort(t, string(conf))
	if !broker.publishes(brokerPort) {
		t.Errorf("mosquitto listens on %s and publishes %v", brokerPort, broker.Ports)
	}

	// visiond: the configuration the image reads, checked by visiond itself.
	configFile, _ := daemon.mount(t, "/etc/visiond/visiond.yaml")
	configFile = filepath.Join(composeDir, configFile)
	cfg := configPrint(t, configFile, nil)
	u, err := url.Parse(cfg.MQTT.Broker)
	if !cfg.MQTT.Enabled || err != nil || u.Scheme != "tcp" || u.Hostname() != "mosquitto" || u.Port() != brokerPort {
		t.Errorf("visiond's broker is %q (MQTT on: %v), want tcp://mosquitto:%s", cfg.MQTT.Broker, cfg.MQTT.Enabled, brokerPort)
	}
	if cfg.MQTT.ShareGroup == "" {
		t.Error("visiond has no MQTT share group: replicas would each take every frame")
	}
	for _, s := range []composeService{models, daemon} {
		if vol, options := s.mount(t, cfg.Models.Dir); vol != "models" || options != "" {
			t.Errorf("%s mounts %s:%s at visiond's models.dir %s, want the models volume, writable (visiond caches its ONNX conversions there)",
				s.Command[0], vol, options, cfg.Models.Dir)
		}
	}
	if want := append([]string{"models", "pull"}, cfg.Models.Load...); !slices.Equal(models.Command, want) {
		t.Errorf("models service runs %v, visiond serves %v", models.Command, cfg.Models.Load)
	}
	_, httpPort, _ := net.SplitHostPort(cfg.HTTP.Addr)
	if !daemon.publishes(httpPort) {
		t.Errorf("visiond listens on %s and publishes %v", cfg.HTTP.Addr, daemon.Ports)
	}
	hc := daemon.Healthcheck
	if hc == nil || len(hc.Test) != 5 || !slices.Equal(hc.Test[:4], []string{"CMD", "visiond", "healthcheck", "--url"}) {
		t.Fatalf("visiond's health check %+v, want CMD visiond healthcheck --url URL", hc)
	}
	health, err := url.Parse(hc.Test[4])
	if err != nil || health.Hostname() != "127.0.0.1" || health.Port() != httpPort || health.Path != "/healthz" {
		t.Errorf("health check asks %s, visiond serves /healthz on %s", hc.Test[4], cfg.HTTP.Addr)
	}

	// Node-RED reaches both by their service names.
	detect, _ := nodeRed.env("VISIOND_DETECT_URL")
	du, err := url.Parse(detect)
	if err != nil || du.Hostname() != "visiond" || du.Port() != httpPort {
		t.Errorf("Node-RED's VISIOND_DETECT_URL %q does not reach visiond on %s", detect, httpPort)
	}
	if host, _ := nodeRed.env("MQTT_BROKER"); host != "mosquitto" {
		t.Errorf("Node-RED's MQTT_BROKER is %q", host)
	}
	if port, _ := nodeRed.env("MQTT_PORT"); port != brokerPort {
		t.Errorf("Node-RED's MQTT_PORT is %q, mosquitto listens on %s", port, brokerPort)
	}

	// Run it: the models service's command, Mosquitto with this configuration, visiond with
	// its own, on free loopback ports.
	var vars []string // the values set here; names alone pass the shell's on
	for _, e := range daemon.Environment {
		if strings.Contains(e, "=") {
			vars = append(vars, e)
		}
	}
	st := startStack(t, models.Command, daemon.Command, vars, configFile, string(conf))
	body := waitOK(t, st.daemon, st.base+health.Path)
	t.Logf("health check GET %s: 200 %s", health.Path, strings.TrimSpace(body))
	waitOK(t, st.daemon, st.base+"/readyz")

	img, err := os.Open(sharedFile(t, "images", "airplane_airport_1280.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	resp, err := http.Post(st.base+du.Path, "image/jpeg", img)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Results []struct {
			Class string `json:"class"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK ||
		len(answer.Results) == 0 || answer.Results[0].Class != "airplane" {
		t.Errorf("POST %s: %s %v %+v", du.Path, resp.Status, err, answer)
	}
	st.mqttCheck(t, cfg)
	st.checkHomeUntouched(t)
}
