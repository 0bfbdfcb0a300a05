// Command sbom writes the SPDX bill of materials of a visiond release tarball or container
// image, and gathers the licence texts of the Go modules linked into the binary:
//
//	go run ./cmd/sbom -binary dist/.../bin/visiond -name visiond-1.0.0-linux-arm64 -version 1.0.0 \
//	    -ort-lib dist/.../lib/libonnxruntime.so.1 -requires libturbojpeg0=1:2.1.5-2 \
//	    -licenses dist/.../share/licenses/go -o dist/.../sbom.spdx.json
//
// For an image, -dpkg-status names the image's /var/lib/dpkg/status, whose packages it bundles.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/visiond/visiond/internal/sbom"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "sbom: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sbom", flag.ContinueOnError)
	fs.SetOutput(stderr)
	binary := fs.String("binary", "", "the visiond binary (required)")
	name := fs.String("name", "", "the document's name, as in visiond-1.0.0-linux-arm64 (required)")
	version := fs.String("version", "", "visiond's version (default: the binary's)")
	ortLib := fs.String("ort-lib", "", "the bundled ONNX Runtime library")
	ortVersion := fs.String("ort-version", "1.30.0", "its version")
	dpkgStatus := fs.String("dpkg-status", "", "a dpkg status file listing the Debian packages bundled (an image's)")
	distro := fs.String("distro", "debian-12", "the Debian release of those packages, for their package URLs")
	requires := fs.String("requires", "", "Debian packages needed from the target but not bundled: NAME=VERSION,...")
	licenses := fs.String("licenses", "", "copy the Go modules' licence texts into this folder")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binary == "" || *name == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-binary and -name are required, and nothing else")
	}
	created, err := creationTime()
	if err != nil {
		return err
	}

	root, deps, err := sbom.GoBinary(*binary)
	if err != nil {
		return err
	}
	root.Name = "visiond"
	if *version != "" {
		root.Version = *version
		root.PURL = "pkg:golang/github.com/visiond/visiond@" + *version
	}
	if root.SHA256, err = fileSHA256(*binary); err != nil {
		return err
	}
	if *licenses != "" {
		if err := sbom.GoLicenses(deps, goEnv("GOMODCACHE"), goEnv("GOROOT"), *licenses); err != nil {
			return err
		}
	}
	if *ortLib != "" {
		sum, err := fileSHA256(*ortLib)
		if err != nil {
			return err
		}
		deps = append(deps, sbom.OnnxRuntime(*ortVersion, filepath.Base(*ortLib), sum))
	}
	if *dpkgStatus != "" {
		f, err := os.Open(*dpkgStatus)
		if err != nil {
			return err
		}
		debs, err := sbom.DebianPackages(f, *distro)
		f.Close()
		if err != nil {
			return err
		}
		deps = append(deps, debs...)
	}
	for _, req := range strings.FieldsFunc(*requires, func(r rune) bool { return r == ',' }) {
		pkg, ver, ok := strings.Cut(req, "=")
		if !ok || pkg == "" || ver == "" {
			return fmt.Errorf("-requires wants NAME=VERSION, not %q", req)
		}
		deps = append(deps, sbom.RequiredDebian(pkg, ver, *distro))
	}

	doc := sbom.Document{Name: *name, Created: created, Root: root, Packages: deps}
	var buf bytes.Buffer
	if err := doc.WriteSPDX(&buf); err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// creationTime is $SOURCE_DATE_EPOCH when set (reproducible builds), else now.
func creationTime() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now(), nil
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH must be seconds since 1970, not %q", s)
	}
	return time.Unix(sec, 0), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goEnv returns a Go setting, from the environment or else from `go env`.
func goEnv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
