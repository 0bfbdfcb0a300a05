package models

import (
	"bufio"
	"bytes"
	"fmt"
	"os"

	"github.com/visiond/visiond/models/catalog"
)

const maxLabelFileBytes = 1 << 20

// readLabels reads a label file: one label per line, surrounding spaces trimmed.
func readLabels(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: labels: %v", catalog.ErrNotInstalled, err)
	}
	if len(b) > maxLabelFileBytes {
		return nil, fmt.Errorf("labels %s: %d bytes is more than the %d allowed", path, len(b), maxLabelFileBytes)
	}
	var labels []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		labels = append(labels, string(bytes.TrimSpace(sc.Bytes())))
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("labels %s: empty file", path)
	}
	return labels, sc.Err()
}
