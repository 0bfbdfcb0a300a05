package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallFile returns a File describing content.
func smallFile(name, content string) File {
	sum := sha256.Sum256([]byte(content))
	return File{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))}
}

func TestStorePath(t *testing.T) {
	f := File{Name: "a.tflite"}
	if got, want := (Store{}).Path(f), filepath.Join(DefaultDir, "a.tflite"); got != want {
		t.Errorf("zero Store: Path = %q, want %q", got, want)
	}
	if got, want := (Store{Dir: "x/y"}).Path(f), filepath.Join("x", "y", "a.tflite"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}

func TestStoreInstalled(t *testing.T) {
	graph := smallFile("g.tflite", "graph bytes")
	labels := smallFile("l.txt", "cat\ndog\n")
	m := Model{Name: "tiny", Graphs: []File{graph}, Labels: &labels}
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"empty dir", nil, false},
		{"labels missing", map[string]string{"g.tflite": "graph bytes"}, false},
		{"wrong size", map[string]string{"g.tflite": "graph", "l.txt": "cat\ndog\n"}, false},
		{"all present", map[string]string{"g.tflite": "graph bytes", "l.txt": "cat\ndog\n"}, true},
		// Installed is the cheap check: same size, other bytes still counts.
		{"same size other bytes", map[string]string{"g.tflite": "GRAPH BYTES", "l.txt": "cat\ndog\n"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Installed(m)
			if err != nil || got != tt.want {
				t.Errorf("Installed = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestStoreInstalledMissingDir(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "absent")}
	got, err := s.Installed(Model{Graphs: []File{smallFile("g", "x")}})
	if err != nil || got {
		t.Errorf("Installed = %v, %v; want false, nil", got, err)
	}
}

func TestStoreVerify(t *testing.T) {
	f := smallFile("g.tflite", "graph bytes")
	tests := []struct {
		name    string
		content string // "" leaves the file out
		wantErr error
		wantMsg []string
	}{
		{"intact", "graph bytes", nil, nil},
		{"damaged", "graph bytez", ErrChecksum, []string{"g.tflite", "got sha256 ", "want " + f.SHA256}},
		{"missing", "", ErrNotInstalled, []string{"g.tflite"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			if tt.content != "" {
				if err := os.WriteFile(s.Path(f), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Verify(f)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}
