package config

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// env returns a lookup function over the given variables only.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// load runs Load in an empty working directory holding the given visiond.yaml (none if "").
func load(t *testing.T, yamlText string, lookup func(string) (string, bool), args ...string) (Config, string, error) {
	t.Helper()
	t.Chdir(t.TempDir())
	if yamlText != "" {
		if err := os.WriteFile(DefaultFile, []byte(yamlText), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, lookup)
}

func TestDefaults(t *testing.T) {
	cfg, file, err := load(t, "", env())
	if err != nil {
		t.Fatal(err)
	}
	if file != "" {
		t.Errorf("read %q with no file present", file)
	}
	if cfg.HTTP.Addr != ":8080" || cfg.Models.Dir != "var/models" || !slices.Contains(cfg.Models.Load, "coco-ssd") ||
		!slices.Contains(cfg.Models.Load, "mobilenet") || !slices.Contains(cfg.Models.Load, "posenet") || cfg.Pipeline.Workers < 1 || cfg.HTTP.RequestTimeout <= 0 {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestPrecedence(t *testing.T) {
	file := "http:\n  addr: 127.0.0.1:9000\n  request_timeout: 3s\npipeline:\n  workers: 3\n  queue: 5\nmodels:\n  load: [coco-ssd]\n"
	cases := []struct {
		name    string
		env     []string
		args    []string
		addr    string
		workers int
		queue   int
		timeout time.Duration
	}{
		{"file over defaults", nil, nil, "127.0.0.1:9000", 3, 5, 3 * time.Second},
		{"env over file", []string{"VISIOND_ADDR", ":7000", "VISIOND_WORKERS", "4"}, nil, ":7000", 4, 5, 3 * time.Second},
		{"flags over env", []string{"VISIOND_ADDR", ":7000", "VISIOND_QUEUE", "9"}, []string{"--addr", ":6000", "-request-timeout=1m"}, ":6000", 3, 9, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, path, err := load(t, file, env(tc.env...), tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if path != DefaultFile {
				t.Errorf("file %q, want %q", path, DefaultFile)
			}
			if cfg.HTTP.Addr != tc.addr || cfg.Pipeline.Workers != tc.workers || cfg.Pipeline.Queue != tc.queue || cfg.HTTP.RequestTimeout != tc.timeout {
				t.Errorf("got addr %s workers %d queue %d timeout %v", cfg.HTTP.Addr, cfg.Pipeline.Workers, cfg.Pipeline.Queue, cfg.HTTP.RequestTimeout)
			}
			if !slices.Equal(cfg.Models.Load, []string{"coco-ssd"}) {
				t.Errorf("models %v, want the file's", cfg.Models.Load)
			}
			if cfg.Log.Level != "info" {
				t.Errorf("log level %q: a field the file leaves out keeps its default", cfg.Log.Level)
			}
		})
	}
}

func TestConfigFileChoice(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, "other.yaml")
	os.WriteFile(named, []byte("http: {addr: ':1234'}\n"), 0o644)

	cfg, path, err := load(t, "http: {addr: ':1111'}\n", env("VISIOND_CONFIG", named))
	if err != nil || path != named || cfg.HTTP.Addr != ":1234" {
		t.Errorf("VISIOND_CONFIG: %v, file %q, addr %q", err, path, cfg.HTTP.Addr)
	}
	cfg, path, err = load(t, "", env("VISIOND_CONFIG", filepath.Join(dir, "missing.yaml")), "--config", named)
	if err != nil || path != named || cfg.HTTP.Addr != ":1234" {
		t.Errorf("--config over VISIOND_CONFIG: %v, file %q, addr %q", err, path, cfg.HTTP.Addr)
	}
	if _, _, err := load(t, "", env(), "--config", filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a named file that is missing: %v", err)
	}
	if _, _, err := load(t, "# nothing but a comment\n", env()); err != nil {
		t.Errorf("empty file: %v", err)
	}
}

// TestFixtures: every file of testdata/config/good loads; every file of testdata/config/bad
// fails with the error its first line names ("# want: a; b": each part is in the error).
func TestFixtures(t *testing.T) {
	root := filepath.Join("..", "testdata", "config")
	for _, kind := range []string{"good", "bad"} {
		files, err := filepath.Glob(filepath.Join(root, kind, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s fixtures: %v", kind, err)
		}
		for _, path := range files {
			t.Run(kind+"/"+filepath.Base(path), func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = load(t, string(data), env())
				if kind == "good" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				first, _, _ := strings.Cut(string(data), "\n")
				want, ok := strings.CutPrefix(first, "# want: ")
				if !ok {
					t.Fatalf("first line %q does not say what error it wants", first)
				}
				if err == nil {
					t.Fatal("no error")
				}
				for _, s := range strings.Split(want, "; ") {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
			})
		}
	}
}

// TestErrors: bad values from the environment and flags name their source (bad files are
// the fixtures of TestFixtures).
func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
		want []string // substrings of the error
	}{
		{"bad env value", []string{"VISIOND_WORKERS", "two"}, nil, []string{"VISIOND_WORKERS", `"two"`}},
		{"bad flag value", nil, []string{"--request-timeout", "soon"}, []string{"request-timeout", "soon"}},
		{"unknown flag", nil, []string{"--adress", ":1"}, []string{"adress"}},
		{"bad address", []string{"VISIOND_ADDR", "8080"}, nil, []string{"http.addr", `"8080"`}},
		{"no models", nil, []string{"--models", ""}, []string{"models.load"}},
		{"zero workers", nil, []string{"--workers", "0"}, []string{"pipeline.workers"}},
		{"tls cert without key", []string{"VISIOND_TLS_CERT", "c.pem"}, nil, []string{"http.tls"}},
		{"bad mqtt broker", []string{"VISIOND_MQTT_BROKER", "mosquitto:1883"}, nil, []string{"mqtt.broker", "mosquitto:1883"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := load(t, "", env(tc.env...), tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestLists(t *testing.T) {
	cfg, _, err := load(t, "", env("VISIOND_API_KEYS", " k1, ,k2 "), "--models", "mobilenet,coco-ssd")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.HTTP.APIKeys, []string{"k1", "k2"}) || !slices.Equal(cfg.Models.Load, []string{"mobilenet", "coco-ssd"}) {
		t.Errorf("keys %q, models %q", cfg.HTTP.APIKeys, cfg.Models.Load)
	}
	red := cfg.Redacted()
	if slices.Contains(red.HTTP.APIKeys, "k1") || len(red.HTTP.APIKeys) != 2 || cfg.HTTP.APIKeys[0] != "k1" {
		t.Errorf("redacted %q from %q", red.HTTP.APIKeys, cfg.HTTP.APIKeys)
	}
}

// TestPrint: what `visiond config print` writes hides the keys and reads back as the same
// configuration.
func TestPrint(t *testing.T) {
	want := Default()
	want.HTTP.RequestTimeout = 1500 * time.Millisecond
	want.Models.Load = []string{"mobilenet"}
	var out bytes.Buffer
	if err := Print(&out, want, "visiond.yaml"); err != nil {
		t.Fatal(err)
	}
	got := Config{}
	if err := Parse(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// "[]" and "{}" read back as empty lists and maps, the defaults are nil.
	got.HTTP.APIKeys, got.MQTT.Routes, got.MQTT.Embedded.Users = nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("printed config reads back as\n%+v\nwant\n%+v\n%s", got, want, out.String())
	}
	if !strings.HasPrefix(out.String(), "# visiond effective configuration (file visiond.yaml") {
		t.Errorf("no source comment:\n%s", out.String())
	}

	want.HTTP.APIKeys = []string{"secret-key-1"}
	want.MQTT.Username, want.MQTT.Password = "cam", "secret-password-2"
	want.MQTT.Embedded.Users = map[string]string{"door": "secret-password-3"}
	out.Reset()
	if err := Print(&out, want, ""); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"secret-key-1", "secret-password-2", "secret-password-3"} {
		if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "<redacted>") {
			t.Errorf("%s not redacted:\n%s", secret, out.String())
		}
	}
}

// TestSample: the sample configuration in deploy/ uses only known keys, sets every field, and
// shows the defaults it claims to show (but for the per-core ones, given for 2 cores).
func TestSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "deploy", "visiond.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := Parse(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Pipeline.Workers != 2 || cfg.Pipeline.Queue != 8 || cfg.MQTT.Workers != 2 || cfg.Engine.Threads != 2 {
		t.Errorf("sample workers %d, queue %d, MQTT workers %d, threads %d; want the 2-core defaults 2, 8, 2 and 2",
			cfg.Pipeline.Workers, cfg.Pipeline.Queue, cfg.MQTT.Workers, cfg.Engine.Threads)
	}
	want := Default()
	cfg.Pipeline.Workers, cfg.Pipeline.Queue, cfg.MQTT.Workers = want.Pipeline.Workers, want.Pipeline.Queue, want.MQTT.Workers
	cfg.Engine.Threads = want.Engine.Threads
	// "[]" and "{}" read back as empty lists and maps, the defaults are nil.
	cfg.HTTP.APIKeys, cfg.MQTT.Routes, cfg.MQTT.Embedded.Users = nil, nil, nil
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("the sample differs from the defaults:\n%+v\n%+v", cfg, want)
	}
}
