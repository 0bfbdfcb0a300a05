package models

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/visiond/visiond/models/catalog"
)

// classLabels reads m's labels file and names the model's classes: class c is entry
// c+m.LabelOffset of the file (a line, or an id), "" when the file does not name it. n is
// the number of classes the model has; -1 takes as many as the file names. A file of lines
// must name every class. Errors name the card field and wrap ErrBadModel.
func classLabels(o LoadOptions, m catalog.Model, n int) ([]string, error) {
	var lines []string
	var err error
	source := "the labels packed in " + m.Graphs[0].Name
	if m.Labels != nil {
		source = m.Labels.Name
		lines, err = readLabels(o.Store.Path(*m.Labels))
	} else {
		lines, err = packedLabels(o.Store.Path(m.Graphs[0]))
	}
	if err != nil {
		return nil, err
	}
	entries := map[int]string{}
	switch m.LabelFormat {
	case catalog.LabelIDs:
		entries, err = idLabels(lines)
	case catalog.LabelPbtxt:
		entries, err = pbtxtLabels(strings.Join(lines, "\n"))
	default:
		for i, l := range lines {
			entries[i] = l
		}
		if n >= 0 && len(lines) < n+m.LabelOffset {
			return nil, fmt.Errorf("%w: labels.file: %s has %d lines, fewer than the model's %d classes (with labels.offset %d, %d lines)",
				ErrBadModel, source, len(lines), n, m.LabelOffset, n+m.LabelOffset)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: labels.file: %s: %v", ErrBadModel, source, err)
	}
	if n < 0 {
		for id := range entries {
			n = max(n, id-m.LabelOffset+1)
		}
	}
	if n <= 0 {
		return nil, fmt.Errorf("%w: labels.file: %s names no class (labels.offset %d)", ErrBadModel, source, m.LabelOffset)
	}
	labels := make([]string, n)
	for id, l := range entries {
		c := id - m.LabelOffset
		if c >= n && m.LabelFormat != catalog.LabelLines {
			return nil, fmt.Errorf("%w: labels.file: %s: id %d names no class of the model (it has %d, labels.offset %d)", ErrBadModel, source, id, n, m.LabelOffset)
		}
		if c >= 0 && c < n {
			labels[c] = l
		}
	}
	return labels, nil
}

// packedLabels reads the labels file packed in a TFLite model: a member of the zip archive
// that TFLite metadata appends to the file, the one whose name says "label", else the
// only .txt member. Errors name the card field.
func packedLabels(modelPath string) ([]string, error) {
	z, err := zip.OpenReader(modelPath)
	if err != nil {
		return nil, fmt.Errorf("%w: labels: missing, and %s packs no labels file (%v)", ErrBadModel, filepath.Base(modelPath), err)
	}
	defer z.Close()
	var found *zip.File
	txt := 0
	for _, f := range z.File {
		if !strings.EqualFold(filepath.Ext(f.Name), ".txt") {
			continue
		}
		txt++
		if found == nil || strings.Contains(strings.ToLower(f.Name), "label") {
			found = f
		}
	}
	if found == nil || txt > 1 && !strings.Contains(strings.ToLower(found.Name), "label") {
		return nil, fmt.Errorf("%w: labels: missing, and %s packs no single labels file", ErrBadModel, filepath.Base(modelPath))
	}
	r, err := found.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: labels: %s in %s: %v", ErrBadModel, found.Name, filepath.Base(modelPath), err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxLabelFileBytes+1))
	if err != nil || len(b) > maxLabelFileBytes {
		return nil, fmt.Errorf("%w: labels: %s in %s is unreadable or over %d bytes", ErrBadModel, found.Name, filepath.Base(modelPath), maxLabelFileBytes)
	}
	lines, err := splitLines(b)
	if len(lines) == 0 && err == nil {
		err = fmt.Errorf("%w: labels: %s in %s is empty", ErrBadModel, found.Name, filepath.Base(modelPath))
	}
	return lines, err
}

// idLabels reads "ID LABEL" lines; blank lines are skipped.
func idLabels(lines []string) (map[int]string, error) {
	out := map[int]string{}
	for i, l := range lines {
		if l == "" {
			continue
		}
		idText, label, ok := strings.Cut(strings.ReplaceAll(l, "\t", " "), " ")
		id, err := strconv.Atoi(strings.TrimSuffix(idText, ":"))
		label = strings.TrimSpace(label)
		if !ok || err != nil || id < 0 || label == "" {
			return nil, fmt.Errorf("line %d: %q is not \"ID LABEL\"", i+1, l)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("line %d: id %d named twice", i+1, id)
		}
		out[id] = label
	}
	return out, nil
}

var (
	pbtxtItem    = regexp.MustCompile(`item\s*\{([^{}]*)\}`)
	pbtxtID      = regexp.MustCompile(`(?:^|\s)id\s*:\s*(-?\d+)`)
	pbtxtDisplay = regexp.MustCompile(`display_name\s*:\s*"([^"]*)"`)
	pbtxtName    = regexp.MustCompile(`(?:^|\s)name\s*:\s*"([^"]*)"`)
)

// pbtxtLabels reads a TensorFlow object-detection label map: item { id: N display_name: "x" }
// blocks, with name used where display_name is missing.
func pbtxtLabels(text string) (map[int]string, error) {
	out := map[int]string{}
	for i, item := range pbtxtItem.FindAllStringSubmatch(text, -1) {
		body := item[1]
		idm := pbtxtID.FindStringSubmatch(body)
		label := pbtxtDisplay.FindStringSubmatch(body)
		if label == nil {
			label = pbtxtName.FindStringSubmatch(body)
		}
		if idm == nil || label == nil {
			return nil, fmt.Errorf("item %d lacks an id or a name", i+1)
		}
		id, err := strconv.Atoi(idm[1])
		if err != nil || id < 0 {
			return nil, fmt.Errorf("item %d: bad id %s", i+1, idm[1])
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("item %d: id %d named twice", i+1, id)
		}
		out[id] = label[1]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no item { id: .. display_name: .. } blocks")
	}
	return out, nil
}

// splitLines returns the lines of b with surrounding spaces trimmed.
func splitLines(b []byte) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, string(bytes.TrimSpace(sc.Bytes())))
	}
	return lines, sc.Err()
}
