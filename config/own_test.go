package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOwnModelsInLoad: models.load takes an own model whose card lies in models.dir, and one
// whose card is bad (the pipeline reports it); a name with no card is still an error.
func TestOwnModelsInLoad(t *testing.T) {
	dir := t.TempDir()
	for name, card := range map[string]string{
		"birds.yaml":  "name: birds\ntask: detect\nfile: birds.tflite\nlabels: {file: birds.txt}\n",
		"broken.yaml": "name: broken\ntask: dance\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(card), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := Default()
	c.Models.Dir = dir
	c.Models.Load = []string{"coco-ssd", "birds", "broken"}
	if err := c.Validate(); err != nil {
		t.Errorf("own models: %v", err)
	}
	c.Models.Load = []string{"coco-ssd", "owls"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `models.load: unknown model: "owls"`) {
		t.Errorf("a model without a card: %v", err)
	}
}
