package catalog

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestPullForce: --force fetches a file installed intact again; without it, it is up to date.
func TestPullForce(t *testing.T) {
	m := catalogEntry(t, "mobilenet-v1-0.25")
	store := Store{Dir: t.TempDir()}
	var log bytes.Buffer
	p := &Puller{Store: store, Mirror: sharedMirror(t), Progress: outcomes(&log)}
	for _, force := range []bool{false, false, true} {
		p.Force = force
		if err := p.Pull(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	graph := m.Graphs[0].Name
	want := graph + "  installed\n" + m.Labels.Name + "  installed\n" +
		graph + "  up to date\n" + m.Labels.Name + "  up to date\n" +
		graph + "  installed\n" + m.Labels.Name + "  installed\n"
	if log.String() != want {
		t.Errorf("outcomes:\n%s\nwant:\n%s", log.String(), want)
	}
}

// killedPullEnv, when set, makes TestKilledPullLeavesNoStrayFile's child process pull from
// the URL it holds, into the directory in killedPullDir.
const killedPullEnv, killedPullDir = "VISIOND_TEST_KILLED_PULL_URL", "VISIOND_TEST_KILLED_PULL_DIR"

// TestKilledPullLeavesNoStrayFile: a pull SIGKILLed in the middle of a download leaves its
// hidden .part file; the next pull removes it and installs the model.
func TestKilledPullLeavesNoStrayFile(t *testing.T) {
	if u := os.Getenv(killedPullEnv); u != "" {
		p := &Puller{Store: Store{Dir: os.Getenv(killedPullDir)}, Mirror: u}
		p.Pull(context.Background(), catalogEntry(t, "mobilenet-v1-0.25"))
		return
	}
	m := catalogEntry(t, "mobilenet-v1-0.25")
	graph := m.Graphs[0]
	data := sharedFileBytes(t, graph.Name)
	stop := make(chan struct{})
	defer close(stop)
	srv, _ := counted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		select { // the rest never comes: the child is killed while it waits
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	store := Store{Dir: t.TempDir()}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledPullLeavesNoStrayFile$")
	cmd.Env = append(os.Environ(), killedPullEnv+"="+srv.URL, killedPullDir+"="+store.Dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		parts, _ = filepath.Glob(filepath.Join(store.Dir, ".*.part"))
		if len(parts) == 1 {
			if info, err := os.Stat(parts[0]); err == nil && info.Size() == int64(len(data)/2) {
				break
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if got := dirNames(t, store.Dir); len(got) != 1 || got[0] != filepath.Base(parts[0]) {
		t.Fatalf("after the kill the models dir holds %v, want one .part file", got)
	}

	p := &Puller{Store: store, Mirror: sharedMirror(t)}
	if err := p.Pull(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got, want := dirNames(t, store.Dir), fileNames(m); !slices.Equal(got, want) {
		t.Errorf("after the next pull the models dir holds %v, want exactly %v", got, want)
	}
}
