package models

import (
	"fmt"
	"os"

	"github.com/visiond/visiond/models/catalog"
)

const maxLabelFileBytes = 1 << 20

// placeholder is how a label file (COCO-SSD's) names an id the model was not trained on.
const placeholder = "???"

// Named reports whether a label names a class: label files leave the ids a model was not
// trained on empty or mark them with the ??? placeholder.
func Named(label string) bool { return label != "" && label != placeholder }

// readLabels reads a label file: one label per line, surrounding spaces trimmed.
func readLabels(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: labels: %v", catalog.ErrNotInstalled, err)
	}
	if len(b) > maxLabelFileBytes {
		return nil, fmt.Errorf("labels %s: %d bytes is more than the %d allowed", path, len(b), maxLabelFileBytes)
	}
	labels, err := splitLines(b)
	if len(labels) == 0 && err == nil {
		return nil, fmt.Errorf("%w: labels %s: empty file", ErrBadModel, path)
	}
	return labels, err
}
