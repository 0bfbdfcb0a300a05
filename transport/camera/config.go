package camera

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Config is the cameras section of visiond's configuration: the streams visiond reads itself.
// It is empty by default. The --camera NAME=URL flag (Set) adds one with the defaults.
type Config []Camera

// Camera is one stream and what to run on it.
type Camera struct {
	// Name names the camera in topics (<prefix>/<name>/...) and routes (/v1/cameras/<name>):
	// letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// URL is rtsp://, rtsps://, http(s):// (MJPEG), /dev/videoN (V4L2) or a video file, read
	// at its own frame rate and started again when it ends.
	URL string `yaml:"url"`
	// FPS caps the frames taken from the stream each second; the rest are skipped as they come.
	FPS float64 `yaml:"fps"`
	// Models are the loaded models run on each frame, at most one per task; empty means the
	// default detection model.
	Models []string `yaml:"models"`
	// MinScore drops results scoring below it (0: each model's default).
	MinScore float64 `yaml:"min_score"`
	// Classes keeps only these detection labels (empty: all).
	Classes []string `yaml:"classes"`
	// Zones are named areas of the picture; detections are counted per zone.
	Zones []Zone `yaml:"zones"`
}

// Zone is a named polygon of a camera's picture. A detection is in the zone when the middle
// of its box's bottom edge (where an object stands) is inside the polygon.
type Zone struct {
	// Name names the zone in results and topics: letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// Points are the polygon's corners, [x, y] each, at least three.
	Points [][]float64 `yaml:"points"`
	// Relative says the points are fractions of the picture's width and height (0..1) rather
	// than pixels.
	Relative bool `yaml:"relative"`
}

// DefaultFPS is a camera's frame rate cap when the configuration names none.
const DefaultFPS = 5

// maxFPS bounds the frame rate cap.
const maxFPS = 60

// Defaults is the configuration used when nothing is set: no cameras.
func Defaults() Config { return Config{} }

// DefaultCamera is a camera with the default settings and no name or URL yet.
func DefaultCamera() Camera { return Camera{FPS: DefaultFPS} }

// UnmarshalYAML reads a camera over DefaultCamera, so that keys left out keep their defaults.
// It uses the decoder it is given, which keeps refusing unknown keys.
func (c *Camera) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Camera
	v := plain(DefaultCamera())
	if err := unmarshal(&v); err != nil {
		return err
	}
	*c = Camera(v)
	return nil
}

// Set adds cameras given as NAME=URL, several separated by spaces (the --camera flag, which
// may be repeated, and VISIOND_CAMERAS).
func (c *Config) Set(v string) error {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return errors.New("want NAME=URL")
	}
	for _, f := range fields {
		name, url, ok := strings.Cut(f, "=")
		if !ok || name == "" || url == "" {
			return fmt.Errorf("want NAME=URL, got %q", f)
		}
		cam := DefaultCamera()
		cam.Name, cam.URL = name, url
		*c = append(*c, cam)
	}
	return nil
}

// String lists the cameras as NAME=URL, for help texts.
func (c Config) String() string {
	var parts []string
	for _, cam := range c {
		parts = append(parts, cam.Name+"="+cam.URL)
	}
	return strings.Join(parts, " ")
}

// nameRE is what camera and zone names may hold: they become topic levels and URL segments.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// deviceRE is a V4L2 device path.
var deviceRE = regexp.MustCompile(`^/dev/video[0-9]{1,3}$`)

// maxURL bounds a camera URL's length.
const maxURL = 2048

// Validate reports every setting that cannot work, each named by its key.
func (c Config) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, cam := range c {
		key := fmt.Sprintf("cameras[%d]", i)
		if err := cam.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
		if seen[cam.Name] {
			errs = append(errs, fmt.Errorf("%s: name %q appears twice", key, cam.Name))
		}
		seen[cam.Name] = true
	}
	return errors.Join(errs...)
}

// validate checks one camera.
func (c Camera) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !nameRE.MatchString(c.Name) {
		bad("name: %q must be 1 to 64 letters, digits, '-' or '_'", c.Name)
	}
	if err := checkURL(c.URL); err != nil {
		bad("url: %v", err)
	}
	if !(c.FPS > 0 && c.FPS <= maxFPS) {
		bad("fps: must be above 0 and at most %d, got %g", maxFPS, c.FPS)
	}
	if c.MinScore < 0 || c.MinScore > 1 {
		bad("min_score: must be between 0 and 1, got %g", c.MinScore)
	}
	zones := map[string]bool{}
	for i, z := range c.Zones {
		if err := z.validate(); err != nil {
			bad("zones[%d]: %v", i, err)
		}
		if zones[z.Name] {
			bad("zones[%d]: name %q appears twice", i, z.Name)
		}
		zones[z.Name] = true
	}
	return errors.Join(errs...)
}

// checkURL accepts the sources a camera may read.
func checkURL(u string) error {
	switch {
	case u == "":
		return errors.New("empty")
	case len(u) > maxURL:
		return fmt.Errorf("longer than %d bytes", maxURL)
	case strings.ContainsAny(u, " \t\r\n"):
		return errors.New("contains white space")
	case strings.HasPrefix(u, "/dev/"):
		if !deviceRE.MatchString(u) {
			return fmt.Errorf("%q: devices are /dev/videoN", u)
		}
	case strings.Contains(u, "://"):
		scheme, rest, _ := strings.Cut(u, "://")
		if scheme != "rtsp" && scheme != "rtsps" && scheme != "http" && scheme != "https" {
			return fmt.Errorf("scheme %q: want rtsp, rtsps, http or https (or a device or a file)", scheme)
		}
		if rest == "" || rest[0] == '/' {
			return errors.New("no host")
		}
	case strings.HasPrefix(u, "-"):
		return fmt.Errorf("%q: a file name may not start with '-'", u)
	}
	return nil
}

// maxZonePoints bounds a zone's corners.
const maxZonePoints = 100

// validate checks a zone's name and corners.
func (z Zone) validate() error {
	if !nameRE.MatchString(z.Name) {
		return fmt.Errorf("name: %q must be 1 to 64 letters, digits, '-' or '_'", z.Name)
	}
	if len(z.Points) < 3 || len(z.Points) > maxZonePoints {
		return fmt.Errorf("points: want 3 to %d corners, got %d", maxZonePoints, len(z.Points))
	}
	for i, p := range z.Points {
		if len(p) != 2 {
			return fmt.Errorf("points[%d]: want [x, y]", i)
		}
		for _, v := range p {
			if !(v >= 0 && v <= 1e5) || (z.Relative && v > 1) {
				return fmt.Errorf("points[%d]: %v is outside the picture", i, p)
			}
		}
	}
	return nil
}

// Redacted returns a copy with the passwords in the URLs hidden, for printing.
func (c Config) Redacted() Config {
	out := make(Config, len(c))
	for i, cam := range c {
		cam.URL = publicURL(cam.URL)
		out[i] = cam
	}
	return out
}
