package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/internal/testmodels"
	"github.com/visiond/visiond/models/catalog"
)

// modelsMirror returns the shared models folder after checking every catalog file is there.
func modelsMirror(t *testing.T) string {
	t.Helper()
	for _, m := range catalog.Catalog() {
		for _, f := range m.Files() {
			testenv.Model(t, f.Name)
		}
	}
	return filepath.Join(testenv.SharedDir(t), "models")
}

// runModels runs `visiond models ARGS...` and returns its stdout and error.
func runModels(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := modelsCommand(context.Background(), args, &stdout, &stderr)
	return stdout.String(), err
}

// installedColumn parses `models list` output into model name → INSTALLED column.
func installedColumn(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("list output has no header:\n%s", out)
	}
	col := map[string]string{}
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			t.Fatalf("short list row %q", line)
		}
		col[fields[0]] = fields[2]
	}
	return col
}

// dirFiles returns the sorted names in dir, or none when it does not exist.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestModelsPull(t *testing.T) {
	mirror := modelsMirror(t)
	all := []string{}
	for _, m := range catalog.Catalog() {
		all = append(all, m.Name)
	}
	tests := []struct {
		name string
		args func(dir string) []string
		env  bool // pass dir and mirror through the environment instead of flags
		want []string
	}{
		{
			name: "default set",
			args: func(dir string) []string { return []string{"pull", "--dir", dir, "--mirror", mirror} },
			want: []string{"coco-ssd", "mobilenet", "posenet"},
		},
		{
			name: "default set from the environment",
			args: func(string) []string { return []string{"pull"} },
			env:  true,
			want: []string{"coco-ssd", "mobilenet", "posenet"},
		},
		{
			name: "named, flags after names",
			args: func(dir string) []string {
				return []string{"pull", "movenet", "--dir", dir, "mobilenet-v1-0.25", "--mirror=" + mirror}
			},
			want: []string{"mobilenet-v1-0.25", "movenet"},
		},
		{
			name: "all",
			args: func(dir string) []string { return []string{"pull", "-dir", dir, "-mirror", mirror, "all", "hands"} },
			want: all,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "models")
			if tt.env {
				t.Setenv("VISIOND_MODELS_DIR", dir)
				t.Setenv("VISIOND_MODELS_MIRROR", mirror)
			}
			out, err := runModels(t, tt.args(dir)...)
			if err != nil {
				t.Fatalf("pull: %v\n%s", err, out)
			}
			if got, want := dirFiles(t, dir), testmodels.Files(t, tt.want...); !slices.Equal(got, want) {
				t.Errorf("models dir holds %v, want %v", got, want)
			}
			for _, name := range tt.want {
				if !strings.Contains(out, name+": ready") {
					t.Errorf("pull output does not say %s is ready:\n%s", name, out)
				}
			}

			list, err := runModels(t, "list", "--dir", dir)
			if err != nil {
				t.Fatal(err)
			}
			installed := installedColumn(t, list)
			for _, m := range catalog.Catalog() {
				want := "no"
				if slices.Contains(tt.want, m.Name) {
					want = "yes"
				}
				if installed[m.Name] != want {
					t.Errorf("list shows %s installed=%q, want %q:\n%s", m.Name, installed[m.Name], want, list)
				}
			}
		})
	}
}

func TestModelsListEmpty(t *testing.T) {
	out, err := runModels(t, "list", "--dir", filepath.Join(t.TempDir(), "none"))
	if err != nil {
		t.Fatal(err)
	}
	installed := installedColumn(t, out)
	if len(installed) != len(catalog.Catalog()) {
		t.Errorf("list has %d rows, want one per catalog model:\n%s", len(installed), out)
	}
	for name, v := range installed {
		if v != "no" {
			t.Errorf("%s shows installed=%q in an empty dir", name, v)
		}
	}
}

func TestModelsErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr error
		wantMsg []string
	}{
		{name: "no subcommand", args: nil, wantErr: flag.ErrHelp},
		{name: "unknown subcommand", args: []string{"push"}, wantMsg: []string{`"push"`, "list, pull, add, remove or inspect"}},
		{name: "unknown flag", args: []string{"pull", "--bogus"}, wantMsg: []string{"bogus"}},
		{name: "help flag", args: []string{"list", "-h"}, wantErr: flag.ErrHelp},
		{name: "list argument", args: []string{"list", "coco-ssd"}, wantMsg: []string{`"coco-ssd"`}},
		{
			name:    "unknown model",
			args:    []string{"pull", "coco-ssd", "yolo"},
			wantErr: catalog.ErrUnknownModel,
			wantMsg: []string{`"yolo"`, "coco-ssd", "hands", "mobilenet-v1-0.25-float", "movenet", "posenet", "all"},
		},
		{
			name:    "missing mirror",
			args:    []string{"pull", "posenet", "--mirror", "no-such-mirror"},
			wantErr: catalog.ErrDownload,
			wantMsg: []string{"posenet_mobilenet_v1_075_481_641_16_quant_decoder.tflite", "no-such-mirror"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "models")
			t.Setenv("VISIOND_MODELS_DIR", dir)
			t.Setenv("VISIOND_MODELS_MIRROR", "")
			_, err := runModels(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if got := dirFiles(t, dir); len(got) != 0 {
				t.Errorf("models dir holds %v after an error", got)
			}
		})
	}
}

func TestModelsHelp(t *testing.T) {
	out, err := runModels(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"visiond models list", "visiond models pull", "--mirror", "VISIOND_MODELS_DIR", defaultPull} {
		if !strings.Contains(out, s) {
			t.Errorf("usage lacks %q:\n%s", s, out)
		}
	}
}
