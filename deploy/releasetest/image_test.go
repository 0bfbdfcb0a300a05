//go:build release

package releasetest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// podman runs podman with the repository's containers.conf (runc, open-files limits) and
// returns its standard output.
func podman(t *testing.T, limit time.Duration, args ...string) string {
	t.Helper()
	out, err := podmanErr(t, limit, args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func podmanErr(t *testing.T, limit time.Duration, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, "podman", "podman")
	t.Setenv("CONTAINERS_CONF", filepath.Join(testenv.Root(t), "deploy/image/containers.conf"))
	return runErr(limit, bin, args...)
}

// imageConfig is what the test reads of `podman image inspect`.
type imageConfig struct {
	Architecture string
	Config       struct {
		User         string
		Env          []string
		Entrypoint   []string
		ExposedPorts map[string]struct{}
		Volumes      map[string]struct{}
		Labels       map[string]string
	}
	Healthcheck struct{ Test []string }
}

// TestImage checks the images `make image` built for each architecture: their configuration,
// the SBOM inside, and a container that pulls coco-ssd from a mirror folder mounted into it,
// serves, is healthy, finds the airplanes through /v1/detect (arm64 under qemu, with the
// amd64 container's answer), and stops cleanly.
func TestImage(t *testing.T) {
	tbs := tarballs(t)
	version := tbs["amd64"].version
	photo := testenv.Image(t, "airplane_airport_1280.jpg")
	mirror, err := filepath.Abs(filepath.Dir(testenv.Model(t, "coco_ssd_mobilenet_v1_labelmap.txt")))
	if err != nil {
		t.Fatal(err)
	}
	cpuinfo := filepath.Join(t.TempDir(), "cpuinfo")
	if err := os.WriteFile(cpuinfo, []byte(arm64CPUInfo()), 0o644); err != nil {
		t.Fatal(err)
	}
	var amd64Answer detectAnswer
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			image := "localhost/visiond:" + version + "-" + arch
			var cfgs []imageConfig
			if err := json.Unmarshal([]byte(podman(t, time.Minute, "image", "inspect", image)), &cfgs); err != nil || len(cfgs) != 1 {
				t.Fatalf("inspect %s: %v", image, err)
			}
			checkConfig(t, cfgs[0], arch, version)
			checkImageSBOM(t, image, arch)

			volume := fmt.Sprintf("visiond-test-%d-%s", os.Getpid(), arch)
			podman(t, time.Minute, "volume", "create", volume)
			defer podmanErr(t, time.Minute, "volume", "rm", "-f", volume)
			runArgs := []string{"--arch", arch, "-v", volume + ":/var/lib/visiond"}
			if arch == "arm64" {
				// ONNX Runtime under qemu-user needs an arm64 /proc/cpuinfo (see qemuCommand).
				runArgs = append(runArgs, "-v", cpuinfo+":/proc/cpuinfo:ro")
			}
			out := podman(t, emulated, append(append([]string{"run", "--rm", "-v", mirror + ":/mirror:ro"}, runArgs...),
				image, "models", "pull", "--mirror", "/mirror", "coco-ssd")...)
			t.Logf("models pull: %s", strings.TrimSpace(out))

			name := fmt.Sprintf("visiond-test-%d-%s", os.Getpid(), arch)
			start := time.Now()
			podman(t, time.Minute, append(append([]string{"run", "-d", "--name", name, "-p", "127.0.0.1::8080"}, runArgs...),
				image, "serve", "--models", "coco-ssd", "--workers", "1", "--request-timeout", emulated.String())...)
			defer podmanErr(t, time.Minute, "rm", "-f", name)
			logs := func() string {
				out, _ := exec.Command(testenv.Tool(t, "podman", "podman"), "logs", name).CombinedOutput()
				return string(out)
			}
			// Podman published 8080 on a free loopback port of its choosing.
			base := "http://" + strings.TrimSpace(podman(t, time.Minute, "port", name, "8080/tcp"))
			testenv.WaitReady(t, base, emulated, logs)
			ready := time.Since(start).Round(time.Millisecond)
			if out, err := podmanErr(t, time.Minute, "healthcheck", "run", name); err != nil {
				t.Errorf("healthcheck: %v\n%s", err, out)
			}
			body, err := os.ReadFile(photo)
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			answer := postDetect(t, base, body)
			t.Logf("%s container: ready after %s, /v1/detect answered in %s%s", arch, ready,
				time.Since(start).Round(time.Millisecond), map[bool]string{true: " (emulated)"}[arch == "arm64"])
			airplanes(t, answer)
			if arch == "amd64" {
				amd64Answer = answer
			} else if diff := sameDetections(answer, amd64Answer); diff != "" {
				t.Errorf("arm64 container differs from amd64: %s", diff)
			}

			podman(t, 2*time.Minute, "stop", "--time", "60", name)
			if code := strings.TrimSpace(podman(t, time.Minute, "inspect", "--format", "{{.State.ExitCode}}", name)); code != "0" {
				t.Errorf("exit code %s after stop:\n%s", code, logs())
			}
			if !strings.Contains(logs(), "msg=stopped") {
				t.Errorf("no clean stop in the log:\n%s", logs())
			}
		})
	}
}

func checkConfig(t *testing.T, c imageConfig, arch, version string) {
	t.Helper()
	if c.Architecture != arch {
		t.Errorf("architecture %s, want %s", c.Architecture, arch)
	}
	if c.Config.User != "10001:10001" {
		t.Errorf("user %q, want 10001:10001", c.Config.User)
	}
	for _, p := range []string{"8080/tcp", "1883/tcp"} {
		if _, ok := c.Config.ExposedPorts[p]; !ok {
			t.Errorf("port %s not exposed: %v", p, c.Config.ExposedPorts)
		}
	}
	if _, ok := c.Config.Volumes["/var/lib/visiond"]; !ok {
		t.Errorf("no volume /var/lib/visiond: %v", c.Config.Volumes)
	}
	env := strings.Join(c.Config.Env, "\n")
	for _, want := range []string{"VISIOND_MODELS_DIR=/var/lib/visiond/models", "VISIOND_CONFIG=/etc/visiond/visiond.yaml"} {
		if !strings.Contains(env, want) {
			t.Errorf("environment lacks %s: %v", want, c.Config.Env)
		}
	}
	if hc := strings.Join(c.Healthcheck.Test, " "); !strings.Contains(hc, "healthcheck") || !strings.Contains(hc, "/healthz") {
		t.Errorf("health check %q does not ask /healthz", hc)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.source":   "https://github.com/visiond/visiond",
		"org.opencontainers.image.licenses": "",
		"org.opencontainers.image.revision": "",
	} {
		got, ok := c.Config.Labels[k]
		if !ok || got == "" || (want != "" && got != want) {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
}

// checkImageSBOM copies the SBOM and the dpkg status out of the image and checks that the
// SBOM lists every Debian package installed, at its version, with the Go modules and ONNX Runtime.
func checkImageSBOM(t *testing.T, image, arch string) {
	t.Helper()
	ctr := strings.TrimSpace(podman(t, time.Minute, "create", "--arch", arch, image))
	defer podmanErr(t, time.Minute, "rm", ctr)
	dir := t.TempDir()
	for _, f := range []string{"/opt/visiond/sbom.spdx.json", "/var/lib/dpkg/status"} {
		podman(t, time.Minute, "cp", ctr+":"+f, dir)
	}
	doc, purls := readSPDX(t, filepath.Join(dir, "sbom.spdx.json"))
	versions := map[string]string{}
	for _, p := range doc.Packages {
		versions[p.Name] = p.VersionInfo
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		t.Fatal(err)
	}
	debs := 0
	for _, stanza := range strings.Split(string(status), "\n\n") {
		fields := map[string]string{}
		for _, line := range strings.Split(stanza, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				fields[k] = v
			}
		}
		name, version := fields["Package"], fields["Version"]
		if name == "" {
			continue
		}
		debs++
		if versions[name] != version || !strings.HasPrefix(purls[name], "pkg:deb/debian/"+name+"@") || !strings.Contains(purls[name], "arch="+fields["Architecture"]) ||
			(fields["Architecture"] != arch && fields["Architecture"] != "all") {
			t.Errorf("SBOM: Debian package %s %s is listed as %q %q", name, version, versions[name], purls[name])
		}
	}
	for _, want := range []string{"libc6", "libturbojpeg0", "libstdc++6", "ca-certificates"} {
		if _, ok := versions[want]; !ok {
			t.Errorf("SBOM lacks the Debian package %s", want)
		}
	}
	for _, want := range []string{"onnxruntime", "stdlib", "github.com/gin-gonic/gin", "github.com/yalue/onnxruntime_go"} {
		if purls[want] == "" {
			t.Errorf("SBOM lacks %s", want)
		}
	}
	t.Logf("%s SBOM: %d packages, %d of them Debian's", arch, len(doc.Packages), debs)
}
