package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// repoRoot is the checkout, seen from this package's folder.
var repoRoot = func() string {
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return abs
}()

const (
	// commandLimit bounds every program a test runs to completion.
	commandLimit = 2 * time.Minute
	// readyLimit bounds how long visiond may take to load its models.
	readyLimit = 3 * time.Minute
)

// helm returns the helm binary that `make test-deploy` names in VISIOND_HELM.
func helm(t *testing.T) string {
	t.Helper()
	p := os.Getenv("VISIOND_HELM")
	if p == "" {
		t.Fatal("VISIOND_HELM is not set: run `make test-deploy`, which builds helm once into the cache")
	}
	return p
}

// visiond returns bin/visiond, which `make test-deploy` builds.
func visiond(t *testing.T) string {
	t.Helper()
	p := filepath.Join(repoRoot, "bin", "visiond")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%v: run `make build` (or `make test-deploy`)", err)
	}
	return p
}

// sharedFile returns a file of the shared models and photos: VISIOND_TESTDATA (as make
// test-deploy sets it), else the shared folder beside the checkout.
func sharedFile(t *testing.T, parts ...string) string {
	t.Helper()
	dir := os.Getenv("VISIOND_TESTDATA")
	if dir == "" {
		dir = filepath.Join(repoRoot, "..", "shared")
	}
	p := filepath.Join(append([]string{dir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		skipOrFail(t, "test data missing: "+p+" (set VISIOND_TESTDATA to the folder holding models/ and images/)")
	}
	return p
}

// tool finds a program of a Debian package.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	for _, p := range []string{name, filepath.Join("/usr/sbin", name)} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	skipOrFail(t, name+" is not installed (Debian: apt-get install "+pkg+")")
	return ""
}

// skipOrFail skips the test for want of something outside the checkout, or fails it when
// VISIOND_REQUIRE_TESTDATA=1 (CI), where nothing may be missing.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("VISIOND_REQUIRE_TESTDATA") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// run runs a program in the checkout with exactly the environment env (plus PATH and HOME)
// and returns its standard output; a failure fails the test with its standard error.
func run(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = repoRoot
	cmd.Env = baseEnv(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// baseEnv is env with PATH and HOME: no VISIOND_* variable of the caller's leaks in.
func baseEnv(env []string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
}

// freePort asks the system for a loopback port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// effectiveConfig is what `visiond config print` says serve would use, in the keys the tests
// compare.
type effectiveConfig struct {
	Models struct {
		Dir  string   `json:"dir"`
		Load []string `json:"load"`
	} `json:"models"`
	HTTP struct {
		Addr        string `json:"addr"`
		MetricsAuth bool   `json:"metrics_auth"`
	} `json:"http"`
	MQTT struct {
		Enabled    bool   `json:"enabled"`
		Broker     string `json:"broker"`
		ShareGroup string `json:"share_group"`
		Prefix     string `json:"prefix"`
	} `json:"mqtt"`
	ShutdownTimeout string `json:"shutdown_timeout"`
}

// configPrint runs `visiond config print` on a configuration file with the given variables,
// requires success, and returns the effective configuration.
func configPrint(t *testing.T, file string, env []string) effectiveConfig {
	t.Helper()
	out := run(t, env, visiond(t), "config", "print", "--config", file)
	var c effectiveConfig
	if err := yaml.Unmarshal(out, &c); err != nil {
		t.Fatalf("config print: %v\n%s", err, out)
	}
	return c
}

// pullModels runs visiond with the arguments of a models-pulling container, filling a fresh
// folder from the shared models instead of the network, and returns the folder.
func pullModels(t *testing.T, args []string) string {
	t.Helper()
	dir := t.TempDir()
	run(t, []string{"VISIOND_MODELS_DIR=" + dir, "VISIOND_MODELS_MIRROR=" + sharedFile(t, "models")}, visiond(t), args...)
	return dir
}

// process is a server a test started; it is stopped with SIGTERM at the end of the test.
type process struct {
	cmd *exec.Cmd
	// logFile holds what the process wrote to its standard output and error.
	logFile string
	exited  chan struct{}
	err     error
}

// start runs a server in the checkout with exactly the environment env (plus PATH and HOME).
func start(t *testing.T, env []string, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(name, args...), logFile: filepath.Join(t.TempDir(), "output"), exited: make(chan struct{})}
	out, err := os.Create(p.logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the child has its own copy
	p.cmd.Dir = repoRoot
	p.cmd.Env = baseEnv(env)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(commandLimit):
			p.cmd.Process.Kill()
			<-p.exited
			t.Errorf("%s did not stop on SIGTERM:\n%s", filepath.Base(name), p.log())
		}
	})
	return p
}

// log returns what the process has written so far.
func (p *process) log() string {
	data, err := os.ReadFile(p.logFile)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// waitListening waits until the process accepts connections on the loopback port.
func (p *process) waitListening(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(commandLimit)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited (%v):\n%s", p.cmd.Path, p.err, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s does not listen on %d:\n%s", p.cmd.Path, port, p.log())
}

// get sends a GET with optional headers ("Name: value") and returns the status and body.
func get(t *testing.T, url string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body)
}

// waitOK polls url until it answers 200, failing when it answers anything but 503 (loading),
// when readyLimit passes or when the process exits.
func waitOK(t *testing.T, p *process, url string, headers ...string) string {
	t.Helper()
	deadline := time.Now().Add(readyLimit)
	var status int
	var body string
	for time.Now().Before(deadline) {
		status, body = get(t, url, headers...)
		switch status {
		case http.StatusOK:
			return body
		case 0, http.StatusServiceUnavailable: // not listening yet, or loading
		default:
			t.Fatalf("GET %s: %d %s", url, status, body)
		}
		select {
		case <-p.exited:
			t.Fatalf("visiond exited (%v) before %s answered 200:\n%s", p.err, url, p.log())
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("%s still answers %d %s after %v:\n%s", url, status, body, readyLimit, p.log())
	return ""
}

// startMosquitto runs Mosquitto with the given configuration text, its listener moved to a
// free loopback port, and returns that port. It logs subscriptions to its output.
func startMosquitto(t *testing.T, conf string) (*process, int) {
	t.Helper()
	bin := tool(t, "mosquitto", "mosquitto")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	var lines []string
	for _, line := range strings.Split(conf, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "listener" {
			line = fmt.Sprintf("listener %d 127.0.0.1", port)
		}
		lines = append(lines, line)
	}
	// Run as root, Mosquitto would switch to a user that cannot read the test's files.
	lines = append(lines, "user "+me.Username, "log_dest stderr", "log_type subscribe")
	file := filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, bin, "-c", file)
	p.waitListening(t, port)
	return p, port
}

// mqttRoundTrip publishes a photo as a camera's frame and returns the first message visiond
// publishes on the camera's detections topic.
func mqttRoundTrip(t *testing.T, port int, prefix, camera, photo string) string {
	t.Helper()
	sub := tool(t, "mosquitto_sub", "mosquitto-clients")
	pub := tool(t, "mosquitto_pub", "mosquitto-clients")
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	defer cancel()
	topic := prefix + "/" + camera
	listen := exec.CommandContext(ctx, sub, "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-t", topic+"/detections", "-C", "1", "-W", "90")
	var out, errs bytes.Buffer
	listen.Stdout, listen.Stderr = &out, &errs
	if err := listen.Start(); err != nil {
		t.Fatal(err)
	}
	// mosquitto_sub may not have subscribed when the first frame goes out: publish again every
	// 3 s until it has its answer (it gives up after 90 s).
	done := make(chan error, 1)
	go func() { done <- listen.Wait() }()
	for {
		run(t, nil, pub, "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-q", "1", "-t", topic+"/image", "-f", photo)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("no detections on %s/detections: %v %s", topic, err, errs.String())
			}
			return out.String()
		case <-time.After(3 * time.Second):
		}
	}
}

// stack is visiond, and Mosquitto when visiond's MQTT is on, running on this machine as a
// recipe configures them, on free loopback ports. Both stop at the end of the test.
type stack struct {
	daemon *process
	// base is visiond's HTTP URL.
	base string
	// home is visiond's HOME, empty at the start.
	home       string
	broker     *process
	brokerPort int
}

// startStack pulls the models with the arguments of the recipe's models-pulling container
// (from the shared folder), starts Mosquitto with brokerConf unless it is empty, and runs
// visiond with serveArgs, the variables env and the configuration file config, its listen
// address and broker moved to free loopback ports by flags. It returns once visiond listens.
func startStack(t *testing.T, pullArgs, serveArgs, env []string, config, brokerConf string) *stack {
	t.Helper()
	s := &stack{home: t.TempDir()}
	env = append(slices.Clone(env), "VISIOND_CONFIG="+config, "VISIOND_MODELS_DIR="+pullModels(t, pullArgs), "HOME="+s.home)
	listen := freePort(t)
	args := append(slices.Clone(serveArgs), "--addr", fmt.Sprintf("127.0.0.1:%d", listen))
	if brokerConf != "" {
		s.broker, s.brokerPort = startMosquitto(t, brokerConf)
		args = append(args, "--mqtt-broker", fmt.Sprintf("tcp://127.0.0.1:%d", s.brokerPort))
	}
	s.daemon = start(t, env, visiond(t), args...)
	s.daemon.waitListening(t, listen)
	s.base = fmt.Sprintf("http://127.0.0.1:%d", listen)
	return s
}

// mqttCheck publishes the airplane photo as camera "porch" and requires detections of an
// airplane back, from a subscription in visiond's share group.
func (s *stack) mqttCheck(t *testing.T, cfg effectiveConfig) {
	t.Helper()
	msg := mqttRoundTrip(t, s.brokerPort, cfg.MQTT.Prefix, "porch", sharedFile(t, "images", "airplane_airport_1280.jpg"))
	var det struct {
		Camera  string `json:"camera"`
		Results []struct {
			Class string `json:"class"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(msg), &det); err != nil || det.Camera != "porch" || len(det.Results) == 0 || det.Results[0].Class != "airplane" {
		t.Fatalf("detections %v: %.400s", err, msg)
	}
	t.Logf("MQTT: a frame on %s/porch/image came back as %d detections (%s first) through the broker %s, moved to 127.0.0.1:%d",
		cfg.MQTT.Prefix, len(det.Results), det.Results[0].Class, cfg.MQTT.Broker, s.brokerPort)
	if share := "$share/" + cfg.MQTT.ShareGroup + "/"; !strings.Contains(s.broker.log(), share) {
		t.Errorf("visiond did not subscribe through %s:\n%s", share, s.broker.log())
	}
}

// checkHomeUntouched requires that visiond wrote nothing into its HOME: ONNX Runtime keeps its
// telemetry there unless ORT_DISABLE_TELEMETRY=1.
func (s *stack) checkHomeUntouched(t *testing.T) {
	t.Helper()
	var written []string
	filepath.WalkDir(s.home, func(path string, d os.DirEntry, err error) error {
		if err == nil && path != s.home {
			written = append(written, strings.TrimPrefix(path, s.home))
		}
		return nil
	})
	if len(written) > 0 {
		t.Errorf("visiond wrote into its HOME: %v", written)
	}
}
