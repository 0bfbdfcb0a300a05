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

func TestStoreState(t *testing.T) {
	graph := smallFile("g.tflite", "graph bytes")
	labels := smallFile("l.txt", "cat\ndog\n")
	m := Model{Name: "tiny", Graphs: []File{graph}, Labels: &labels}
	unpinned := Model{Name: "own", Graphs: []File{{Name: "g.tflite"}}}
	tests := []struct {
		name  string
		model Model
		files map[string]string
		want  State
	}{
		{"empty dir", m, nil, Missing},
		{"labels missing", m, map[string]string{"g.tflite": "graph bytes"}, Missing},
		{"wrong size", m, map[string]string{"g.tflite": "graph", "l.txt": "cat\ndog\n"}, Corrupt},
		{"all present", m, map[string]string{"g.tflite": "graph bytes", "l.txt": "cat\ndog\n"}, Installed},
		{"same size other bytes", m, map[string]string{"g.tflite": "GRAPH BYTES", "l.txt": "cat\ndog\n"}, Corrupt},
		{"damaged and another missing", m, map[string]string{"g.tflite": "GRAPH BYTES"}, Corrupt},
		{"nothing pinned, present", unpinned, map[string]string{"g.tflite": "any bytes"}, Installed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.State(tt.model)
			if err != nil || got != tt.want {
				t.Errorf("State = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestStoreStateMissingDir(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "absent")}
	got, err := s.State(Model{Graphs: []File{smallFile("g", "x")}})
	if err != nil || got != Missing {
		t.Errorf("State = %v, %v; want %v, nil", got, err, Missing)
	}
}

// TestStoreCheck: the check before a load names the file and the command that repairs it.
func TestStoreCheck(t *testing.T) {
	graph := smallFile("g.tflite", "graph bytes")
	tests := []struct {
		name    string
		own     bool
		content string // "" leaves the file out
		wantErr error
		wantMsg []string
	}{
		{"intact", false, "graph bytes", nil, nil},
		{"damaged", false, "graph bytez", ErrChecksum, []string{"g.tflite", "checksum mismatch", "repair it with: visiond models pull --force tiny"}},
		{"truncated", false, "graph", ErrChecksum, []string{"g.tflite", "5 bytes, want 11", "visiond models pull --force tiny"}},
		{"missing", false, "", ErrNotInstalled, []string{"g.tflite", "install it with: visiond models pull tiny"}},
		{"own model damaged", true, "graph bytez", ErrChecksum, []string{"g.tflite", "install it again with: visiond models add tiny FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			if tt.content != "" {
				if err := os.WriteFile(s.Path(graph), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Check(Model{Name: "tiny", Graphs: []File{graph}, Own: tt.own})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
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
