//go:build release

package releasetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// tarball is one release tarball listed in dist/SHA256SUMS.
type tarball struct {
	path, name, version, arch, sha256 string
}

// tarballs reads dist/SHA256SUMS (VISIOND_DIST moves dist/) and returns its tarballs by
// architecture; both amd64 and arm64 must be there.
func tarballs(t *testing.T) map[string]tarball {
	t.Helper()
	dir := os.Getenv("VISIOND_DIST")
	if dir == "" {
		dir = filepath.Join(testenv.Root(t), "dist")
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatalf("no release tarballs (run make dist first): %v", err)
	}
	re := regexp.MustCompile(`^([0-9a-f]{64})  (visiond-(.+)-linux-(amd64|arm64)\.tar\.gz)$`)
	found := map[string]tarball{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("SHA256SUMS line %q is not `SHA256  visiond-VERSION-linux-ARCH.tar.gz`", sc.Text())
		}
		found[m[4]] = tarball{path: filepath.Join(dir, m[2]), name: strings.TrimSuffix(m[2], ".tar.gz"), version: m[3], arch: m[4], sha256: m[1]}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if _, ok := found[arch]; !ok {
			t.Fatalf("SHA256SUMS lists no %s tarball:\n%s", arch, sums)
		}
	}
	return found
}

// unpack checks the tarball's checksum, unpacks it into a scratch folder and returns the
// release's folder.
func unpack(t *testing.T, tb tarball) string {
	t.Helper()
	f, err := os.Open(tb.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != tb.sha256 {
		t.Fatalf("%s: SHA-256 %s, SHA256SUMS says %s", tb.path, got, tb.sha256)
	}
	dir := t.TempDir()
	run(t, time.Minute, "tar", "-xzf", tb.path, "-C", dir)
	return filepath.Join(dir, tb.name)
}

// run runs a command to completion within limit and returns its standard output; a failure
// ends the test with both outputs.
func run(t *testing.T, limit time.Duration, name string, args ...string) string {
	t.Helper()
	out, err := runErr(limit, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(limit time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// pullModels installs the named models from the shared models folder into a scratch models
// folder, with the amd64 release's `visiond models pull --mirror` (it runs on this machine).
func pullModels(t *testing.T, amd64Release string, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	mirror := filepath.Dir(testenv.Model(t, "coco_ssd_mobilenet_v1_labelmap.txt"))
	args := append([]string{"models", "pull", "--dir", dir, "--mirror", mirror}, names...)
	run(t, time.Minute, filepath.Join(amd64Release, "bin/visiond"), args...)
	return dir
}

// detection is one box of a detect answer.
type detection struct {
	BBox  [4]float64 `json:"bbox"`
	Class string     `json:"class"`
	Score float64    `json:"score"`
}

// detectAnswer is what `visiond detect` prints and /v1/detect answers.
type detectAnswer struct {
	Model   string      `json:"model"`
	Width   int         `json:"width"`
	Height  int         `json:"height"`
	Results []detection `json:"results"`
}

// Tolerances between two builds' detections of one photo: ONNX Runtime's kernels differ
// between x86-64 and arm64 in the last bits of their floats.
const (
	boxTolerance   = 2.0  // pixels, each of x, y, w, h
	scoreTolerance = 0.01 // absolute
)

// sameDetections says how got differs from want beyond the tolerances; empty when it does not.
func sameDetections(got, want detectAnswer) string {
	if got.Width != want.Width || got.Height != want.Height || len(got.Results) != len(want.Results) {
		return fmt.Sprintf("%dx%d with %d boxes, want %dx%d with %d", got.Width, got.Height, len(got.Results), want.Width, want.Height, len(want.Results))
	}
	for i, g := range got.Results {
		w := want.Results[i]
		if g.Class != w.Class || abs(g.Score-w.Score) > scoreTolerance {
			return fmt.Sprintf("box %d: %s %.4f, want %s %.4f", i, g.Class, g.Score, w.Class, w.Score)
		}
		for k := range g.BBox {
			if abs(g.BBox[k]-w.BBox[k]) > boxTolerance {
				return fmt.Sprintf("box %d: %v, want %v", i, g.BBox, w.BBox)
			}
		}
	}
	return ""
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// airplanes checks a detect answer on airplane_airport_1280.jpg: its two airplanes, the
// large one in the middle of the photo first.
func airplanes(t *testing.T, a detectAnswer) {
	t.Helper()
	if a.Width != 1280 || a.Height != 1280 || len(a.Results) < 2 {
		t.Fatalf("answer %+v, want two airplanes in a 1280x1280 photo", a)
	}
	for _, d := range a.Results[:2] {
		cx, cy := d.BBox[0]+d.BBox[2]/2, d.BBox[1]+d.BBox[3]/2
		if d.Class != "airplane" || d.Score < 0.6 || cx < 400 || cx > 900 || cy < 450 || cy > 800 {
			t.Errorf("%+v is not an airplane in the middle of the photo", d)
		}
	}
}

// postDetect posts the photo to base/v1/detect and decodes the answer.
func postDetect(t *testing.T, base string, photo []byte) detectAnswer {
	t.Helper()
	resp, err := http.Post(base+"/v1/detect", "image/jpeg", bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/v1/detect answered %s: %s", resp.Status, body)
	}
	var a detectAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("/v1/detect: %v: %s", err, body)
	}
	return a
}

// runBounded runs cmd, killing it after limit.
func runBounded(cmd *exec.Cmd, limit time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	timer := time.AfterFunc(limit, func() { cmd.Process.Kill() })
	defer timer.Stop()
	return cmd.Wait()
}
