// Package layers holds the test that keeps visiond's imports pointing one way: from the
// commands down through config, the transports, the request pipeline and the models to the
// inference engine.
package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/visiond/visiond/"

// layers rank the packages, lowest first, by path prefix (the longest matching prefix wins).
// A package may import packages of a lower layer, and of its own layer inside its own folder.
var layers = []string{
	"internal/version internal/sdnotify internal/sbom internal/hostile",
	"inference",
	"models/preprocess models/results models/ssd models/pose models/palm",
	"models/catalog",
	"models",
	"annotate",
	"pipeline",
	"transport",
	"config",
	"cmd",
	"deploy", // checks of what the commands build and install
}

// helpers are the packages that only tests import.
var helpers = map[string]bool{
	"internal/testenv": true, "internal/testmodels": true, "internal/testpipeline": true,
	"internal/golden": true, "internal/layers": true, "internal/testcamera": true,
}

// layerOf returns the rank and the matching prefix of a package path within the module.
func layerOf(pkg string) (int, string) {
	rank, best := -1, ""
	for i, l := range layers {
		for _, prefix := range strings.Fields(l) {
			if (pkg == prefix || strings.HasPrefix(pkg, prefix+"/")) && len(prefix) > len(best) {
				rank, best = i, prefix
			}
		}
	}
	return rank, best
}

func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if helpers[pkg] {
			continue // imported by tests only (checked below)
		}
		from, fromPrefix := layerOf(pkg)
		if from < 0 {
			t.Errorf("%s is in no layer: add it to the layers table", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if helpers[dep] {
				t.Errorf("%s imports the test helper %s", pkg, dep)
				continue
			}
			to, toPrefix := layerOf(dep)
			sameFolder := to == from && strings.HasPrefix(dep, strings.Split(fromPrefix, "/")[0])
			if to > from || to == from && !sameFolder && toPrefix != fromPrefix {
				t.Errorf("%s (layer %q) imports %s (layer %q): imports must point down", pkg, layers[from], dep, layers[to])
			}
		}
	}
}
