package sbom

import (
	"debug/buildinfo"
	"fmt"
	"strings"
)

// GoBinary reads the build information of the Go binary at path (of any architecture) and
// returns its main module, the Go standard library it was built with, and every module linked
// into it, each with a pkg:golang package URL. Licences are left empty; see Licenses.
func GoBinary(path string) (main Package, deps []Package, err error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return Package{}, nil, fmt.Errorf("sbom: reading the build information of %s: %w", path, err)
	}
	main = Package{Name: info.Main.Path, Version: info.Main.Version, PURL: goPURL(info.Main.Path, info.Main.Version), Bundled: true}
	goVersion := strings.TrimPrefix(info.GoVersion, "go")
	deps = append(deps, Package{
		Name:    "stdlib",
		Version: "v" + goVersion,
		PURL:    goPURL("stdlib", "v"+goVersion),
		License: "BSD-3-Clause",
		Comment: "the Go runtime and standard library (" + info.GoVersion + ")",
		Bundled: true,
	})
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		deps = append(deps, Package{Name: m.Path, Version: m.Version, PURL: goPURL(m.Path, m.Version), Bundled: true})
	}
	return main, deps, nil
}

func goPURL(path, version string) string {
	p := "pkg:golang/" + path
	if version != "" && version != "(devel)" {
		p += "@" + purlVersion(version)
	}
	return p
}
