package sbom

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxStatusLine bounds one line of a dpkg status file (descriptions are the longest).
const maxStatusLine = 1 << 20

// DebianPackages reads a dpkg status file (/var/lib/dpkg/status: stanzas of "Field: value"
// lines separated by blank lines) and returns each installed package with a pkg:deb URL for the
// given distribution ("debian-12"). Packages not in the "installed" state are left out.
func DebianPackages(r io.Reader, distro string) ([]Package, error) {
	var pkgs []Package
	fields := map[string]string{}
	flush := func() error {
		defer clear(fields)
		if len(fields) == 0 {
			return nil
		}
		name, version, arch := fields["Package"], fields["Version"], fields["Architecture"]
		if name == "" || version == "" || arch == "" {
			return fmt.Errorf("sbom: dpkg status stanza without Package, Version or Architecture: %v", fields)
		}
		if st := fields["Status"]; st != "" && !strings.HasSuffix(st, " installed") {
			return nil
		}
		purl := "pkg:deb/debian/" + name + "@" + purlVersion(version) + "?arch=" + arch + "&distro=" + distro
		comment := ""
		if src := fields["Source"]; src != "" {
			comment = "source package " + src
			// A Source field may carry its own version: "libjpeg-turbo (1:2.1.5-2)".
			src, _, _ = strings.Cut(src, " ")
			purl += "&upstream=" + src
		}
		pkgs = append(pkgs, Package{Name: name, Version: version, PURL: purl, Comment: comment, Bundled: true})
		return nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxStatusLine)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case line[0] == ' ' || line[0] == '\t':
			// A continuation line of a multi-line field.
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("sbom: dpkg status line without a field name: %q", line)
			}
			fields[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sbom: reading dpkg status: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return pkgs, nil
}
