// Package systemd holds the tests of visiond's systemd unit, visiond.service.
package systemd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testenv"
)

// installedBinary is where deploy/install.sh puts visiond, as the unit expects it.
const installedBinary = "/opt/visiond/bin/visiond"

// maxExposure is the highest `systemd-analyze security` exposure the unit may have.
const maxExposure = 3.0

func readUnit(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("visiond.service")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func analyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, "systemd-analyze", "systemd")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

func TestUnitRunsTheInstalledBinary(t *testing.T) {
	unit := readUnit(t)
	for _, key := range []string{"ExecStartPre", "ExecStart"} {
		m := regexp.MustCompile(`(?m)^` + key + `=(\S+) `).FindStringSubmatch(unit)
		if m == nil || m[1] != installedBinary {
			t.Errorf("%s runs %v, want %s", key, m, installedBinary)
		}
	}
	for _, want := range []string{"Type=notify", "StateDirectory=visiond", "Restart=on-failure",
		"Environment=VISIOND_MODELS_DIR=/var/lib/visiond/models", "Environment=VISIOND_CONFIG=/etc/visiond/visiond.yaml"} {
		if !strings.Contains(unit, "\n"+want+"\n") {
			t.Errorf("unit lacks %s", want)
		}
	}
}

// TestVerify requires `systemd-analyze verify` to say nothing at all: it exits 0 on unknown
// keys and bad values and only warns. The unit's binary path is pointed into a scratch folder,
// as verify checks that the program exists.
func TestVerify(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, installedBinary)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "visiond.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(readUnit(t), installedBinary, bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := analyze(t, "verify", unit)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestSecurityExposure(t *testing.T) {
	out, err := analyze(t, "security", "--offline=true", "--no-pager", "visiond.service")
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for visiond\.service: ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	exposure, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exposure %.1f", exposure)
	if exposure >= maxExposure {
		t.Errorf("exposure %.1f, want below %.1f:\n%s", exposure, maxExposure, out)
	}
}
