package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// TestDamagedModelFileIsNotTrusted: a pulled model file with 64 KiB overwritten keeps its
// size, but `models list` calls it corrupt, a command that would load it fails naming the
// file and the repair, and `models pull --force` repairs it.
func TestDamagedModelFileIsNotTrusted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	if out, err := runModels(t, "pull", "--dir", dir, "--mirror", modelsMirror(t), "mobilenet-v1-0.25"); err != nil {
		t.Fatalf("pull: %v\n%s", err, out)
	}
	graph := filepath.Join(dir, "mobilenet_v1_0.25_224_quant.tflite")
	f, err := os.OpenFile(graph, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0x5a}, 64<<10), 200<<10); err != nil {
		t.Fatal(err)
	}
	f.Close()

	list, err := runModels(t, "list", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := installedColumn(t, list)["mobilenet-v1-0.25"]; got != "corrupt" {
		t.Errorf("list shows mobilenet-v1-0.25 installed=%q, want corrupt:\n%s", got, list)
	}

	classify := []string{"classify", "--dir", dir, "--ort-lib", testenv.ORTLibrary(t), "--model", "mobilenet-v1-0.25", testenv.Image(t, "burger.jpg")}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), classify, &stdout, &stderr)
	for _, want := range []string{"mobilenet_v1_0.25_224_quant.tflite", "checksum mismatch", "visiond models pull --force mobilenet-v1-0.25"} {
		if err == nil || !strings.Contains(describe(err), want) {
			t.Errorf("classify with the damaged file: %v, want an error containing %q", err, want)
		}
	}

	if out, err := runModels(t, "pull", "--dir", dir, "--mirror", modelsMirror(t), "--force", "mobilenet-v1-0.25"); err != nil {
		t.Fatalf("pull --force: %v\n%s", err, out)
	}
	list, _ = runModels(t, "list", "--dir", dir)
	if got := installedColumn(t, list)["mobilenet-v1-0.25"]; got != "yes" {
		t.Errorf("after pull --force, list shows installed=%q, want yes", got)
	}
	stdout.Reset()
	if err := run(context.Background(), classify, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "cheeseburger") {
		t.Errorf("classify after the repair: %v, %s", err, stdout.String())
	}
}
