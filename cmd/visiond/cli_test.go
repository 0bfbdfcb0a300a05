package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
)

// buildBinary compiles visiond once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "visiond")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func TestMain(m *testing.M) { os.Exit(testmodels.Run(m)) }

func TestCLI(t *testing.T) {
	bin := buildBinary(t)
	dir := testmodels.Store(t, "mobilenet").Dir
	lib := testenv.ORTLibrary(t)
	burger, err := os.ReadFile(testenv.Image(t, "burger.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A models directory whose MobileNet graph is cut short.
	badModels := t.TempDir()
	for _, f := range []string{"mobilenet_v2_1.0_224_quant.tflite", "imagenet_labels_1001.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".tflite") {
			b = b[:len(b)/2]
		}
		os.WriteFile(filepath.Join(badModels, f), b, 0o644)
	}
	// A mirror with a corrupted copy of the MobileNet graph.
	badMirror := t.TempDir()
	good, _ := os.ReadFile(filepath.Join(dir, "mobilenet_v2_1.0_224_quant.tflite"))
	corrupt := append([]byte(nil), good...)
	corrupt[1000] ^= 0xff
	os.WriteFile(filepath.Join(badMirror, "mobilenet_v2_1.0_224_quant.tflite"), corrupt, 0o644)
	labels, _ := os.ReadFile(filepath.Join(dir, "imagenet_labels_1001.txt"))
	os.WriteFile(filepath.Join(badMirror, "imagenet_labels_1001.txt"), labels, 0o644)

	cases := []struct {
		name     string
		args     []string
		wantErr  string // "" means success
		wantJSON string // a class expected in stdout
	}{
		{"burger", []string{"classify", "--dir", dir, "--ort-lib", lib, write("burger.jpg", burger)}, "", "cheeseburger"},
		{"not an image", []string{"classify", "--dir", dir, "--ort-lib", lib, write("notes.jpg", []byte("hello, this is text\n"))}, "not a JPEG, PNG, GIF, BMP or WebP image", ""},
		{"truncated jpeg", []string{"classify", "--dir", dir, "--ort-lib", lib, write("cut.jpg", burger[:len(burger)/2])}, "bad image", ""},
		{"empty file", []string{"classify", "--dir", dir, "--ort-lib", lib, write("empty.jpg", nil)}, "bad image", ""},
		{"pixel bomb", []string{"classify", "--dir", dir, "--ort-lib", lib, write("huge.png", testenv.PNGHeader(100000, 100000))}, "too large", ""},
		{"missing image", []string{"classify", "--dir", dir, "--ort-lib", lib, filepath.Join(files, "nope.jpg")}, "no such file", ""},
		{"corrupt model", []string{"classify", "--dir", badModels, "--ort-lib", lib, write("b.jpg", burger)}, "mobilenet_v2_1.0_224_quant.tflite: checksum mismatch", ""},
		{"missing runtime", []string{"classify", "--dir", dir, "--ort-lib", filepath.Join(files, "libonnxruntime.so.1"), write("c.jpg", burger)}, "make setup", ""},
		{"unknown model", []string{"classify", "--dir", dir, "--ort-lib", lib, "--model", "nonsense", write("d.jpg", burger)}, "unknown model", ""},
		{"checksum on pull", []string{"models", "pull", "--dir", t.TempDir(), "--mirror", badMirror, "mobilenet"}, "checksum mismatch", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, tc.args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			errText := strings.TrimSpace(stderr.String())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("failed: %v\n%s", err, errText)
				}
				var rep struct{ Results []struct{ ClassName string } }
				if jerr := json.Unmarshal(stdout.Bytes(), &rep); jerr != nil || len(rep.Results) == 0 || rep.Results[0].ClassName != tc.wantJSON {
					t.Fatalf("stdout %q, want top class %q", stdout.String(), tc.wantJSON)
				}
				return
			}
			if err == nil {
				t.Fatalf("succeeded, want an error containing %q", tc.wantErr)
			}
			if strings.Count(errText, "\n") != 0 || !strings.HasPrefix(errText, "visiond: ") || !strings.Contains(errText, tc.wantErr) {
				t.Errorf("stderr = %q, want one line 'visiond: ...%s...'", errText, tc.wantErr)
			}
			if strings.Contains(errText, "goroutine") || strings.Contains(errText, "panic") {
				t.Errorf("stack trace on stderr: %q", errText)
			}
		})
	}
}

// TestBadInputsCodes: the inputs every entrance refuses get their code on the command line,
// first on the error line.
func TestBadInputsCodes(t *testing.T) {
	dir := testmodels.Store(t, "coco-ssd").Dir
	lib := testenv.ORTLibrary(t)
	for _, in := range testenv.BadInputs(t) {
		path := filepath.Join(t.TempDir(), "input")
		if err := os.WriteFile(path, in.Image, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"detect", "--dir", dir, "--ort-lib", lib}
		if in.Model != "" {
			args = append(args, "--model", in.Model)
		}
		args = append(args, path)
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if err == nil || !strings.HasPrefix(describe(err), in.Code+": ") {
			t.Errorf("%s: error line %q, want it to start with %q", in.Name, describe(err), in.Code+": ")
		}
	}
}
