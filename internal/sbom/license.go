package sbom

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// licenseFile matches the names under which modules ship their licence and notice texts.
var licenseFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice|patents)([.-].*)?$`)

// maxLicenseFile bounds a licence text read for identification and copying.
const maxLicenseFile = 1 << 20

// GoLicenses finds the licence texts of Go packages as GoBinary returns them, in the module
// cache modCache (`go env GOMODCACHE`, where `go build` left their sources) and, for the
// standard library, in goroot. It sets each package's License to the SPDX identifiers its texts
// show, and copies the texts into outDir/PATH@VERSION/. A module without a licence text is an
// error: whatever is bundled must carry its notice.
func GoLicenses(pkgs []Package, modCache, goroot, outDir string) error {
	for i := range pkgs {
		p := &pkgs[i]
		dir := filepath.Join(modCache, escapeModule(p.Name)+"@"+escapeModule(p.Version))
		if p.Name == "stdlib" {
			dir = goroot
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("sbom: the sources of %s %s are not in the module cache (run `go mod download`): %w", p.Name, p.Version, err)
		}
		var ids []string
		for _, e := range entries {
			if !e.Type().IsRegular() || !licenseFile.MatchString(e.Name()) {
				continue
			}
			text, err := readBounded(filepath.Join(dir, e.Name()))
			if err != nil {
				return err
			}
			for _, id := range identify(text) {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
			dst := filepath.Join(outDir, p.Name+"@"+p.Version, e.Name())
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, text, 0o644); err != nil {
				return err
			}
		}
		if _, err := os.Stat(filepath.Join(outDir, p.Name+"@"+p.Version)); err != nil {
			return fmt.Errorf("sbom: %s %s has no licence file in %s", p.Name, p.Version, dir)
		}
		if len(ids) > 0 && p.License == "" {
			p.License = strings.Join(ids, " AND ")
		}
	}
	return nil
}

func readBounded(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxLicenseFile {
		return nil, fmt.Errorf("sbom: %s is over %d bytes, not a licence text", path, maxLicenseFile)
	}
	return os.ReadFile(path)
}

// licenseMarks are wordings every copy of a licence carries, and its SPDX identifier.
var licenseMarks = []struct{ id, mark string }{
	{"Apache-2.0", "Apache License Version 2.0"},
	{"Apache-2.0", "Licensed under the Apache License, Version 2.0"},
	{"MPL-2.0", "Mozilla Public License Version 2.0"},
	{"EPL-2.0", "Eclipse Public License - v 2.0"},
	{"MIT", "Permission is hereby granted, free of charge"},
	{"ISC", "Permission to use, copy, modify, and/or distribute this software"},
	{"BSD-3-Clause", "Neither the name"},
	{"BSD-3-Clause", "names of its contributors may be used"},
}

// identify names the licences a text grants, by their wording; none for a text that holds
// none of them (a NOTICE, say). A BSD text without the third clause is BSD-2-Clause.
func identify(text []byte) []string {
	t := strings.Join(strings.Fields(string(text)), " ")
	var ids []string
	for _, m := range licenseMarks {
		if strings.Contains(t, m.mark) && !slices.Contains(ids, m.id) {
			ids = append(ids, m.id)
		}
	}
	if len(ids) == 0 && strings.Contains(t, "Redistribution and use in source and binary forms") {
		ids = append(ids, "BSD-2-Clause")
	}
	return ids
}

// escapeModule spells a module path or version as the module cache stores it: each capital
// letter becomes '!' and its lower case.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
