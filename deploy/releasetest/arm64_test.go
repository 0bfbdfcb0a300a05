//go:build release

package releasetest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// emulated bounds each step under qemu, where ONNX Runtime runs some 100 times slower.
const emulated = 10 * time.Minute

// decodeDetect decodes what `visiond detect` printed for one image.
func decodeDetect(t *testing.T, out []byte) detectAnswer {
	t.Helper()
	var a detectAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("detect printed %q: %v", out, err)
	}
	return a
}

// TestArm64 runs the arm64 release under qemu: `visiond detect` finds the airplanes with the
// amd64 build's results (boxes within 2 px, scores within 0.01), and `visiond serve` answers
// /v1/detect with the amd64 daemon's. Times are emulated and say nothing of a Pi's speed.
func TestArm64(t *testing.T) {
	tbs := tarballs(t)
	arm, amd := unpack(t, tbs["arm64"]), unpack(t, tbs["amd64"])
	photo := testenv.Image(t, "airplane_airport_1280.jpg")

	amdModels := pullModels(t, amd, "coco-ssd")
	out := run(t, time.Minute, filepath.Join(amd, "bin/visiond"), "detect", "--dir", amdModels, photo)
	want := decodeDetect(t, []byte(out))
	airplanes(t, want)

	armModels := pullModels(t, amd, "coco-ssd")
	cmd := qemuCommand(t, filepath.Join(arm, "bin/visiond"), "detect", "--dir", armModels, photo)
	cmd.Env = testenv.CleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := runBounded(cmd, emulated); err != nil {
		t.Fatalf("arm64 detect under qemu: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	took := time.Since(start)
	got := decodeDetect(t, stdout.Bytes())
	t.Logf("arm64 detect under qemu (emulated): %s in all, timings %s", took.Round(time.Millisecond), timings(stdout.Bytes()))
	airplanes(t, got)
	if diff := sameDetections(got, want); diff != "" {
		t.Errorf("arm64 detect differs from amd64: %s\narm64: %+v\namd64: %+v", diff, got.Results, want.Results)
	}

	// The daemons, on the models folders the CLIs filled (the converted model is cached there).
	// The HTTP path decodes large JPEGs at a reduced scale, so its answer is compared with
	// the amd64 daemon's rather than with the CLI's.
	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--models", "coco-ssd", "--workers", "1",
		"--mqtt-listen", "127.0.0.1:0", "--request-timeout", emulated.String()}
	wantHTTP, _, _ := serveDetect(t, exec.Command(filepath.Join(amd, "bin/visiond"), append(serveArgs, "--dir", amdModels)...), photo)
	airplanes(t, wantHTTP)
	gotHTTP, ready, answered := serveDetect(t, qemuCommand(t, filepath.Join(arm, "bin/visiond"), append(serveArgs, "--dir", armModels)...), photo)
	t.Logf("arm64 serve under qemu (emulated): ready after %s, POST /v1/detect answered in %s", ready, answered)
	airplanes(t, gotHTTP)
	if diff := sameDetections(gotHTTP, wantHTTP); diff != "" {
		t.Errorf("arm64 /v1/detect differs from amd64: %s\narm64: %+v\namd64: %+v", diff, gotHTTP.Results, wantHTTP.Results)
	}
}

// serveDetect starts the daemon cmd (`visiond serve` on 127.0.0.1:0), waits until it is
// ready, posts the photo to /v1/detect, stops it with SIGTERM and checks it stopped cleanly.
// It returns the answer, the time to readiness and the time of the request.
func serveDetect(t *testing.T, cmd *exec.Cmd, photo string) (answer detectAnswer, ready, answered time.Duration) {
	t.Helper()
	body, err := os.ReadFile(photo)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = testenv.CleanEnv()
	cmd.Dir = t.TempDir()
	logs := &testenv.LockedBuffer{}
	cmd.Stderr = logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The listener opens before the models load, at once even under qemu.
	base := testenv.ListeningURL(t, logs.String, 2*time.Minute)
	testenv.WaitReady(t, base, emulated, logs.String)
	ready = time.Since(start).Round(time.Millisecond)
	start = time.Now()
	answer = postDetect(t, base, body)
	answered = time.Since(start).Round(time.Millisecond)

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("%s exited after SIGTERM with %v\n%s", cmd, err, logs.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s still running 2 minutes after SIGTERM:\n%s", cmd, logs.String())
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
	return answer, ready, answered
}

// timings returns the timings_ms member of a detect answer, as printed.
func timings(out []byte) string {
	var a struct {
		Timings json.RawMessage `json:"timings_ms"`
	}
	json.Unmarshal(out, &a)
	return string(a.Timings)
}
