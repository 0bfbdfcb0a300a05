package config

import (
	"strings"
	"testing"

	"github.com/visiond/visiond/transport/camera"
)

// TestCameras: cameras come from the file (keys left out keep their defaults, unknown keys
// are refused), from VISIOND_CAMERAS and from repeated --camera flags, which add to them.
func TestCameras(t *testing.T) {
	file := "cameras:\n  - name: porch\n    url: rtsp://cam.local/live\n    zones:\n      - {name: door, relative: true, points: [[0, 0], [0.5, 0], [0.5, 1]]}\n"
	cfg, _, err := load(t, file, env("VISIOND_CAMERAS", "garage=http://cam2.local/mjpeg"),
		"--camera", "usb=/dev/video0", "--camera", "replay=clips/door.mp4")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cfg.Cameras {
		names = append(names, c.Name+"="+c.URL)
		if c.FPS != camera.DefaultFPS {
			t.Errorf("%s: fps %g, want the default %d", c.Name, c.FPS, camera.DefaultFPS)
		}
	}
	want := "porch=rtsp://cam.local/live garage=http://cam2.local/mjpeg usb=/dev/video0 replay=clips/door.mp4"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cameras %s, want %s", got, want)
	}
	if z := cfg.Cameras[0].Zones; len(z) != 1 || !z[0].Relative || len(z[0].Points) != 3 {
		t.Errorf("zones %+v", z)
	}

	var printed strings.Builder
	cfg.Cameras[0].URL = "rtsp://admin:secret-camera-password@cam.local/live"
	if err := Print(&printed, cfg, ""); err != nil || strings.Contains(printed.String(), "secret-camera-password") ||
		!strings.Contains(printed.String(), "rtsp://admin:xxxxx@cam.local/live") {
		t.Errorf("camera password not hidden (%v):\n%s", err, printed.String())
	}

	for _, tc := range []struct{ yaml, flag, want string }{
		{"cameras:\n  - {name: a, url: rtsp://h/x, colour: red}\n", "", "colour"},
		{"cameras:\n  - {name: a, url: rtsp://h/x, fps: 0}\n", "", "cameras[0]: fps"},
		{"cameras:\n  - {name: a, url: rtsp://h/x}\n  - {name: a, url: /dev/video1}\n", "", "appears twice"},
		{"", "bad/name=rtsp://h/x", "cameras[0]: name"},
		{"", "a=ftp://h/x", "scheme"},
		{"", "a=/dev/sda", "devices are /dev/videoN"},
		{"", "noequals", "NAME=URL"},
		{"cameras:\n  - {name: a, url: rtsp://h/x, zones: [{name: z, points: [[0, 0], [1, 1]]}]}\n", "", "3 to 100 corners"},
		{"cameras:\n  - {name: a, url: rtsp://h/x, zones: [{name: z, relative: true, points: [[0, 0], [2, 0], [1, 1]]}]}\n", "", "outside the picture"},
	} {
		var args []string
		if tc.flag != "" {
			args = []string{"--camera", tc.flag}
		}
		if _, _, err := load(t, tc.yaml, env(), args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: error %v, want one naming %q", tc.yaml, tc.flag, err, tc.want)
		}
	}
}
