package catalog

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// sharedMirror returns the shared models folder, a flat mirror of every catalog file, after
// checking that each catalog file is there.
func sharedMirror(t *testing.T) string {
	t.Helper()
	for _, m := range Catalog() {
		for _, f := range m.Files() {
			testenv.Model(t, f.Name)
		}
	}
	return filepath.Join(testenv.SharedDir(t), "models")
}

// counted serves h and counts the requests it gets.
func counted(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// fileNames returns the distinct file names of ms, sorted.
func fileNames(ms ...Model) []string {
	names := []string{}
	for _, m := range ms {
		for _, f := range m.Files() {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func catalogEntry(t *testing.T, name string) Model {
	t.Helper()
	m, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sharedFileBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.Model(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPullEveryModelFromMirror(t *testing.T) {
	shared := sharedMirror(t)
	srv, requests := counted(t, http.FileServer(http.Dir(shared)))
	tests := []struct {
		name   string
		mirror string
	}{
		{"directory", shared},
		{"http", srv.URL},
		{"http with trailing slash", srv.URL + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := Store{Dir: filepath.Join(t.TempDir(), "models")}
			p := &Puller{Store: store, Mirror: tt.mirror}
			for _, m := range Catalog() {
				if err := p.Pull(context.Background(), m); err != nil {
					t.Fatalf("Pull(%s): %v", m.Name, err)
				}
				state, err := store.State(m)
				if err != nil || state != Installed {
					t.Fatalf("State(%s) = %v, %v after Pull", m.Name, state, err)
				}
				for _, f := range m.Files() {
					if err := store.Verify(f); err != nil {
						t.Errorf("Verify(%s): %v", f.Name, err)
					}
					info, err := os.Stat(store.Path(f))
					if err != nil {
						t.Error(err)
					} else if perm := info.Mode().Perm(); perm != 0o644 {
						t.Errorf("installed %s with mode %v, want 0644", f.Name, perm)
					}
				}
			}
			if got, want := dirNames(t, store.Dir), fileNames(Catalog()...); !slices.Equal(got, want) {
				t.Errorf("models dir holds %v, want exactly %v", got, want)
			}

			before := requests.Load()
			var out bytes.Buffer
			p.Progress = outcomes(&out)
			for _, m := range Catalog() {
				if err := p.Pull(context.Background(), m); err != nil {
					t.Fatalf("second Pull(%s): %v", m.Name, err)
				}
			}
			if n := requests.Load() - before; n != 0 {
				t.Errorf("second pull made %d requests, want 0", n)
			}
			want := 0
			for _, m := range Catalog() {
				want += len(m.Files())
			}
			if n := strings.Count(out.String(), "  up to date\n"); n != want {
				t.Errorf("second pull reported %d files up to date, want %d:\n%s", n, want, &out)
			}
		})
	}
}

// cocoZip builds a zip like the upstream coco-ssd archive from the shared files; mutate may
// change a member's bytes or return nil to leave it out.
func cocoZip(t *testing.T, mutate func(member string, b []byte) []byte) []byte {
	t.Helper()
	m := catalogEntry(t, "coco-ssd")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range m.Files() {
		b := mutate(f.ZipMember, sharedFileBytes(t, f.Name))
		if b == nil {
			continue
		}
		w, err := zw.Create(f.ZipMember)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withURL returns a copy of m whose files all come from u, leaving the catalog untouched.
func withURL(m Model, u string) Model {
	m.Graphs = slices.Clone(m.Graphs)
	for i := range m.Graphs {
		m.Graphs[i].URL = u
	}
	if m.Labels != nil {
		labels := *m.Labels
		labels.URL = u
		m.Labels = &labels
	}
	return m
}

func TestPullUpstreamZip(t *testing.T) {
	keep := func(_ string, b []byte) []byte { return b }
	tests := []struct {
		name     string
		body     func(t *testing.T) []byte
		wantErr  error
		wantDir  func(m Model) []string
		wantText []string
	}{
		{
			name:     "extracts both members from one download",
			body:     func(t *testing.T) []byte { return cocoZip(t, keep) },
			wantDir:  func(m Model) []string { return fileNames(m) },
			wantText: []string{"coco.zip", "downloaded", "installed"},
		},
		{
			name: "member with the wrong size",
			body: func(t *testing.T) []byte {
				return cocoZip(t, func(member string, b []byte) []byte {
					if member == "detect.tflite" {
						return b[:len(b)-1]
					}
					return b
				})
			},
			wantErr: ErrChecksum,
			wantDir: func(Model) []string { return []string{} },
		},
		{
			name: "member with the right size and wrong bytes",
			body: func(t *testing.T) []byte {
				return cocoZip(t, func(member string, b []byte) []byte {
					if member == "detect.tflite" {
						b = slices.Clone(b)
						b[1000] ^= 0xff
					}
					return b
				})
			},
			wantErr: ErrChecksum,
			wantDir: func(Model) []string { return []string{} },
		},
		{
			name: "missing member",
			body: func(t *testing.T) []byte {
				return cocoZip(t, func(member string, b []byte) []byte {
					if member == "detect.tflite" {
						return nil
					}
					return b
				})
			},
			wantErr: ErrDownload,
			wantDir: func(Model) []string { return []string{} },
		},
		{
			name:    "not a zip",
			body:    func(*testing.T) []byte { return []byte("<html>moved</html>") },
			wantErr: ErrDownload,
			wantDir: func(Model) []string { return []string{} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body(t)
			srv, requests := counted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/coco.zip" {
					http.NotFound(w, r)
					return
				}
				w.Write(body)
			}))
			m := withURL(catalogEntry(t, "coco-ssd"), srv.URL+"/coco.zip")
			store := Store{Dir: t.TempDir()}
			var out bytes.Buffer
			p := &Puller{Store: store, Progress: outcomes(&out)}

			err := p.Pull(context.Background(), m)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Pull = %v, want %v", err, tt.wantErr)
			}
			t.Logf("err: %v\nprogress:\n%s", err, &out)
			if n := requests.Load(); n != 1 {
				t.Errorf("zip fetched %d times, want 1", n)
			}
			if got, want := dirNames(t, store.Dir), tt.wantDir(m); !slices.Equal(got, want) {
				t.Errorf("models dir holds %v, want %v", got, want)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(out.String(), s) {
					t.Errorf("progress output lacks %q:\n%s", s, &out)
				}
			}
		})
	}
}

// mirrorOf copies m's files from the shared folder into a new directory, passing each through
// mutate; a nil result leaves the file out.
func mirrorOf(t *testing.T, m Model, mutate func(name string, b []byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range m.Files() {
		b := mutate(f.Name, sharedFileBytes(t, f.Name))
		if b == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPullFailuresLeaveNothing(t *testing.T) {
	m := catalogEntry(t, "mobilenet-v1-0.25")
	graph := m.Graphs[0]
	data := sharedFileBytes(t, graph.Name)
	onGraph := func(change func([]byte) []byte) func(string, []byte) []byte {
		return func(name string, b []byte) []byte {
			if name == graph.Name {
				return change(slices.Clone(b))
			}
			return b
		}
	}
	serve := func(h http.HandlerFunc) func(t *testing.T) string {
		return func(t *testing.T) string {
			srv, _ := counted(t, h)
			return srv.URL
		}
	}
	tests := []struct {
		name    string
		mirror  func(t *testing.T) string
		wantErr error
	}{
		{
			name: "corrupted copy in a directory mirror",
			mirror: func(t *testing.T) string {
				return mirrorOf(t, m, onGraph(func(b []byte) []byte { b[len(b)/2] ^= 1; return b }))
			},
			wantErr: ErrChecksum,
		},
		{
			name: "truncated copy in a directory mirror",
			mirror: func(t *testing.T) string {
				return mirrorOf(t, m, onGraph(func(b []byte) []byte { return b[:100] }))
			},
			wantErr: ErrChecksum,
		},
		{
			name: "file missing from a directory mirror",
			mirror: func(t *testing.T) string {
				return mirrorOf(t, m, onGraph(func([]byte) []byte { return nil }))
			},
			wantErr: ErrDownload,
		},
		{
			name:    "404",
			mirror:  serve(http.NotFound),
			wantErr: ErrDownload,
		},
		{
			name: "connection closed mid-body",
			mirror: serve(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				w.WriteHeader(http.StatusOK)
				w.Write(data[:len(data)/2])
				conn, _, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				conn.Close()
			}),
			wantErr: ErrDownload,
		},
		{
			name: "announced length over the bound",
			mirror: serve(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.FormatInt(5*graph.Size+slack, 10))
				w.WriteHeader(http.StatusOK)
			}),
			wantErr: ErrDownload,
		},
		{
			name: "endless body",
			mirror: serve(func(w http.ResponseWriter, r *http.Request) {
				chunk := make([]byte, 64<<10)
				for sent := int64(0); sent <= 4*graph.Size+slack; sent += int64(len(chunk)) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}),
			wantErr: ErrDownload,
		},
		{
			name: "connection refused",
			mirror: func(t *testing.T) string {
				srv := httptest.NewServer(http.NotFoundHandler())
				srv.Close()
				return srv.URL
			},
			wantErr: ErrDownload,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mirror := tt.mirror(t)
			store := Store{Dir: t.TempDir()}
			p := &Puller{Store: store, Mirror: mirror, Progress: outcomes(&bytes.Buffer{})}
			err := p.Pull(context.Background(), m)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Pull = %v, want %v", err, tt.wantErr)
			}
			t.Log(err)
			for _, s := range []string{graph.Name, strings.TrimSuffix(mirror, "/")} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not name %q", err, s)
				}
			}
			if got := dirNames(t, store.Dir); len(got) != 0 {
				t.Errorf("models dir holds %v after a failed pull, want nothing", got)
			}
		})
	}
}

func TestPullReplacesDamagedFile(t *testing.T) {
	m := catalogEntry(t, "mobilenet-v1-0.25")
	store := Store{Dir: t.TempDir()}
	graph := m.Graphs[0]
	if err := os.WriteFile(store.Path(graph), make([]byte, graph.Size), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Verify(graph); !errors.Is(err, ErrChecksum) {
		t.Fatalf("Verify of a zeroed file = %v, want ErrChecksum", err)
	}
	p := &Puller{Store: store, Mirror: sharedMirror(t)}
	if err := p.Pull(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := store.Verify(graph); err != nil {
		t.Errorf("Verify after Pull: %v", err)
	}
}

func TestPullCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	store := Store{Dir: t.TempDir()}
	p := &Puller{Store: store, Mirror: sharedMirror(t)}
	if err := p.Pull(ctx, catalogEntry(t, "posenet")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pull with a cancelled context = %v, want context.Canceled", err)
	}
	if got := dirNames(t, store.Dir); len(got) != 0 {
		t.Errorf("models dir holds %v, want nothing", got)
	}
}

func TestPullRejectsPathNames(t *testing.T) {
	m := Model{Name: "evil", Graphs: []File{{Name: "../escape.tflite", Size: 1}}}
	p := &Puller{Store: Store{Dir: t.TempDir()}, Mirror: t.TempDir()}
	if err := p.Pull(context.Background(), m); err == nil || !strings.Contains(err.Error(), "bad file name") {
		t.Fatalf("Pull = %v, want a bad file name error", err)
	}
}

// outcomes is a Progress callback that writes "NAME  OUTCOME" to w as each transfer ends.
func outcomes(w io.Writer) func(Transfer) {
	return func(t Transfer) {
		if t.Outcome != "" {
			fmt.Fprintf(w, "%s  %s\n", t.Name, t.Outcome)
		}
	}
}
