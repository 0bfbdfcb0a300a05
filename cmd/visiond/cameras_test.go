package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testcamera"
	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
)

// TestServeCamera runs the daemon with --camera on a video file and the capture helper beside
// it, as make build lays them out: the camera streams, its detections are served, and SIGTERM
// stops the helper with the daemon.
func TestServeCamera(t *testing.T) {
	bin := buildBinary(t)
	if err := os.Symlink(testcamera.Helper(t), filepath.Join(filepath.Dir(bin), "visiond-capture")); err != nil {
		t.Fatal(err)
	}
	video := testcamera.Video(t, 640, 480, 10, 30, "street_coco_000000373353.jpg")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--dir", testmodels.Store(t, "coco-ssd").Dir,
		"--ort-lib", testenv.ORTLibrary(t), "--models", "coco-ssd", "--mqtt=false", "--camera", "street="+video)
	cmd.Dir = t.TempDir()
	cmd.Env = testenv.CleanEnv()
	logs := &testenv.LockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := testenv.ListeningURL(t, logs.String, testcamera.WaitLimit)

	deadline := time.Now().Add(testcamera.WaitLimit)
	for {
		var latest struct {
			Results []struct{ Results []struct{ Class string } }
		}
		resp, err := http.Get(base + "/v1/cameras/street/latest")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&latest)
			resp.Body.Close()
		}
		found := map[string]bool{}
		for _, r := range latest.Results {
			for _, d := range r.Results {
				found[d.Class] = true
			}
		}
		if found["person"] && found["car"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no people and cars from the camera within %v:\n%s", testcamera.WaitLimit, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	stopDaemon(t, cmd)
	for _, want := range []string{`msg="camera: streaming"`, "camera=street", `msg="camera: stopped"`, "msg=stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
