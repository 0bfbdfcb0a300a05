package catalog

import (
	"bufio"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
	"github.com/visiond/visiond/models/preprocess"
)

func TestCatalogEntries(t *testing.T) {
	hexSum := regexp.MustCompile(`^[0-9a-f]{64}$`)
	tasks := []Task{TaskClassify, TaskDetect, TaskPose, TaskHands}
	var names []string
	for _, m := range Catalog() {
		names = append(names, m.Name)
		if m.Description == "" || !slices.Contains(tasks, m.Task) || len(m.Graphs) == 0 {
			t.Errorf("%s: incomplete entry %+v", m.Name, m)
		}
		if m.InputWidth <= 0 || m.InputHeight <= 0 || (m.Fit != preprocess.Stretch && m.Fit != preprocess.Letterbox) {
			t.Errorf("%s: bad input %dx%d %d", m.Name, m.InputWidth, m.InputHeight, m.Fit)
		}
		for _, f := range m.Files() {
			if !hexSum.MatchString(f.SHA256) || f.Size <= 0 || !strings.HasPrefix(f.URL, "https://") {
				t.Errorf("%s: bad file entry %+v", m.Name, f)
			}
			if strings.ContainsAny(f.Name, `/\`) || strings.HasPrefix(f.Name, ".") {
				t.Errorf("%s: file name %q is not a plain file name", m.Name, f.Name)
			}
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("catalog names %v are not sorted and unique", names)
	}
}

func TestFilesListsGraphsThenLabels(t *testing.T) {
	m := catalogEntry(t, "coco-ssd")
	files := m.Files()
	if len(files) != 2 || files[0].Name != m.Graphs[0].Name || files[1].Name != m.Labels.Name {
		t.Errorf("Files() = %+v, want the graph then the labels", files)
	}
	hands := catalogEntry(t, "hands")
	if got := fileNames(hands); len(got) != 2 {
		t.Errorf("hands files = %v, want palm and landmark graphs", got)
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := Lookup("yolo")
	if !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("Lookup(yolo) = %v, want ErrUnknownModel", err)
	}
	for _, m := range Catalog() {
		if !strings.Contains(err.Error(), m.Name) {
			t.Errorf("error %q does not list %s", err, m.Name)
		}
	}
}

// TestCatalogMatchesSharedChecksums checks the pinned checksums against the SHA256SUMS that
// came with the shared model files.
func TestCatalogMatchesSharedChecksums(t *testing.T) {
	f, err := os.Open(testenv.Model(t, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, name, ok := strings.Cut(sc.Text(), "  "); ok {
			sums[name] = sum
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, m := range Catalog() {
		for _, file := range m.Files() {
			if got := sums[file.Name]; got != file.SHA256 {
				t.Errorf("%s: SHA256SUMS has %q, catalog pins %q", file.Name, got, file.SHA256)
			}
		}
	}
}
