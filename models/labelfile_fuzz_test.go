package models

import (
	"strings"
	"testing"
)

// FuzzLabelFiles feeds arbitrary text to the "ID LABEL" and label-map readers: they may
// reject it, never panic, and what they accept names ids of at least 0 with labels.
func FuzzLabelFiles(f *testing.F) {
	f.Add("934 burger\n505 mug\n\n89: parrot\n")
	f.Add("item {\n  name: \"/m/01g317\"\n  id: 1\n  display_name: \"person\"\n}\nitem { id: 2 name: \"bike\" }\n")
	f.Add("item { id: -1 }")
	f.Fuzz(func(t *testing.T, text string) {
		for _, read := range []func(string) (map[int]string, error){
			func(s string) (map[int]string, error) { return idLabels(strings.Split(s, "\n")) },
			pbtxtLabels,
		} {
			labels, err := read(text)
			if err != nil {
				continue
			}
			for id := range labels {
				if id < 0 {
					t.Fatalf("accepted id %d from %q", id, text)
				}
			}
		}
	})
}
