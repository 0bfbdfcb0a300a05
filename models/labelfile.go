package models

import (
	"bufio"
	"bytes"
	"fmt"
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
	lines, err := readLabels(o.Store.Path(*m.Labels))
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
				ErrBadModel, m.Labels.Name, len(lines), n, m.LabelOffset, n+m.LabelOffset)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: labels.file: %s: %v", ErrBadModel, m.Labels.Name, err)
	}
	if n < 0 {
		for id := range entries {
			n = max(n, id-m.LabelOffset+1)
		}
	}
	if n <= 0 {
		return nil, fmt.Errorf("%w: labels.file: %s names no class (labels.offset %d)", ErrBadModel, m.Labels.Name, m.LabelOffset)
	}
	labels := make([]string, n)
	for id, l := range entries {
		c := id - m.LabelOffset
		if c >= n && m.LabelFormat != catalog.LabelLines {
			return nil, fmt.Errorf("%w: labels.file: %s: id %d names no class of the model (it has %d, labels.offset %d)", ErrBadModel, m.Labels.Name, id, n, m.LabelOffset)
		}
		if c >= 0 && c < n {
			labels[c] = l
		}
	}
	return labels, nil
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
