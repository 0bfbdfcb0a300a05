//go:build release

package releasetest

import (
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// spdx is what the tests read of an SPDX document.
type spdx struct {
	SPDXVersion string `json:"spdxVersion"`
	Packages    []struct {
		Name            string `json:"name"`
		SPDXID          string `json:"SPDXID"`
		VersionInfo     string `json:"versionInfo"`
		LicenseDeclared string `json:"licenseDeclared"`
		Checksums       []struct {
			ChecksumValue string `json:"checksumValue"`
		} `json:"checksums"`
		ExternalRefs []struct {
			ReferenceLocator string `json:"referenceLocator"`
		} `json:"externalRefs"`
	} `json:"packages"`
	Relationships []struct {
		SPDXElementID      string `json:"spdxElementId"`
		RelationshipType   string `json:"relationshipType"`
		RelatedSPDXElement string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

// readSPDX decodes an SPDX file and returns it with each package's purl by name.
func readSPDX(t *testing.T, path string) (spdx, map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc spdx
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	purls := map[string]string{}
	for _, p := range doc.Packages {
		if len(p.ExternalRefs) == 0 && p.Name != "visiond" {
			t.Errorf("%s: package %s has no package URL", path, p.Name)
		}
		if len(p.ExternalRefs) > 0 {
			purls[p.Name] = p.ExternalRefs[0].ReferenceLocator
		}
	}
	if doc.SPDXVersion != "SPDX-2.3" {
		t.Errorf("%s: spdxVersion %q", path, doc.SPDXVersion)
	}
	return doc, purls
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	return strings.Fields(run(t, time.Minute, "sha256sum", path))[0]
}

func TestDistTarballs(t *testing.T) {
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for arch, tb := range tarballs(t) {
		t.Run(arch, func(t *testing.T) {
			dir := unpack(t, tb)
			for _, f := range []string{"bin/visiond", "lib/libonnxruntime.so.1", "etc/visiond.yaml",
				"systemd/visiond.service", "install.sh", "README.md", "sbom.spdx.json",
				"share/licenses/onnxruntime.txt", "share/licenses/libjpeg-turbo.txt",
				"share/licenses/go/stdlib@v" + strings.TrimPrefix(runtime.Version(), "go") + "/LICENSE",
				"share/licenses/go/github.com/gin-gonic/gin@v1.12.0/LICENSE"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
			for _, f := range []string{"bin/visiond", "lib/libonnxruntime.so.1"} {
				e, err := elf.Open(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if e.Machine != machine[arch] {
					t.Errorf("%s is for %s, want %s", f, e.Machine, machine[arch])
				}
				e.Close()
			}

			doc, purls := readSPDX(t, filepath.Join(dir, "sbom.spdx.json"))
			for name, want := range map[string]string{
				"visiond":                  "pkg:golang/github.com/visiond/visiond@" + tb.version,
				"onnxruntime":              "pkg:github/microsoft/onnxruntime@v1.30.0",
				"stdlib":                   "pkg:golang/stdlib@v" + strings.TrimPrefix(runtime.Version(), "go"),
				"github.com/gin-gonic/gin": "pkg:golang/github.com/gin-gonic/gin@v1.12.0",
				"libturbojpeg0":            "pkg:deb/debian/libturbojpeg0@",
			} {
				if !strings.HasPrefix(purls[name], want) {
					t.Errorf("SBOM: %s has purl %q, want %s...", name, purls[name], want)
				}
			}
			sums := map[string]string{}
			for _, p := range doc.Packages {
				if len(p.Checksums) > 0 {
					sums[p.Name] = p.Checksums[0].ChecksumValue
				}
				if strings.HasPrefix(p.Name, "github.com/") || strings.HasPrefix(p.Name, "golang.org/") {
					if p.LicenseDeclared == "NOASSERTION" {
						t.Errorf("SBOM: no licence for Go module %s", p.Name)
					}
					if _, err := os.Stat(filepath.Join(dir, "share/licenses/go", p.Name+"@"+p.VersionInfo)); err != nil {
						t.Errorf("no licence text for %s", p.Name)
					}
				}
			}
			if sums["visiond"] != sha256File(t, filepath.Join(dir, "bin/visiond")) ||
				sums["onnxruntime"] != sha256File(t, filepath.Join(dir, "lib/libonnxruntime.so.1")) {
				t.Errorf("SBOM checksums %v do not match the files", sums)
			}
		})
	}
}

// TestDistRuns runs this machine's release from another working directory: it is stamped with
// the tarball's version and the commit, and finds ONNX Runtime beside itself. Then install.sh
// installs it into a scratch root, where the link in usr/local/bin finds the library too.
func TestDistRuns(t *testing.T) {
	tb := tarballs(t)[runtime.GOARCH]
	dir := unpack(t, tb)
	check := func(bin, lib string) {
		t.Helper()
		out, err := runErr(time.Minute, bin, "version")
		if err != nil {
			t.Fatalf("%s version: %v\n%s", bin, err, out)
		}
		for _, re := range []string{
			`(?m)^visiond +` + regexp.QuoteMeta(tb.version) + `$`,
			`(?m)^commit +[0-9a-f]{40}$`,
			`(?m)^onnxruntime +1\.30\.0 ` + regexp.QuoteMeta(lib) + `$`,
			`(?m)^libjpeg-turbo +\d+\.\d+\.\d+ `,
		} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("%s version lacks %s:\n%s", bin, re, out)
			}
		}
	}
	t.Chdir(t.TempDir())
	check(filepath.Join(dir, "bin/visiond"), filepath.Join(dir, "lib/libonnxruntime.so.1"))

	root := t.TempDir()
	out := run(t, time.Minute, filepath.Join(dir, "install.sh"), "--root", root, "--models-mirror", "/srv/models")
	if !strings.Contains(out, "systemctl status visiond") {
		t.Errorf("install.sh does not say how to check the service:\n%s", out)
	}
	for f, want := range map[string]string{
		"etc/systemd/system/visiond.service": "ExecStart=/opt/visiond/bin/visiond serve",
		"etc/visiond/visiond.yaml":           "dir: /var/lib/visiond/models",
		"etc/visiond/visiond.env":            "VISIOND_MODELS_MIRROR=/srv/models",
		"opt/visiond/sbom.spdx.json":         `"SPDX-2.3"`,
	} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q (%v)", f, want, err)
		}
	}
	check(filepath.Join(root, "usr/local/bin/visiond"), filepath.Join(root, "opt/visiond/lib/libonnxruntime.so.1"))

	// An upgrade replaces the release and keeps the configuration.
	env := filepath.Join(root, "etc/visiond/visiond.env")
	if err := os.WriteFile(env, []byte("VISIOND_PULL=coco-ssd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, time.Minute, filepath.Join(dir, "install.sh"), "--root", root)
	if b, _ := os.ReadFile(env); string(b) != "VISIOND_PULL=coco-ssd\n" {
		t.Errorf("the upgrade rewrote visiond.env: %q", b)
	}
	if out, err := runErr(time.Minute, filepath.Join(dir, "install.sh"), "--bogus"); err == nil {
		t.Errorf("install.sh --bogus succeeded:\n%s", out)
	}
}
