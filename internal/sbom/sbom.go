// Package sbom writes the software bill of materials of a visiond build as an SPDX 2.3 JSON
// document: the visiond binary, the Go toolchain and every Go module linked into it (read from
// the binary's build information), ONNX Runtime, and the Debian packages of a container image
// or those a release tarball expects on its target. Every package carries a package URL, the
// identifier vulnerability scanners match advisories against.
package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Package is one component of the bill of materials.
type Package struct {
	// Name is the component's name: a Go module path, a Debian package, "onnxruntime".
	Name string
	// Version is its version as its ecosystem spells it ("v1.12.0", "2.36-9+deb12u14").
	Version string
	// PURL is its package URL (pkg:golang/..., pkg:deb/debian/..., pkg:github/...).
	PURL string
	// License is an SPDX licence expression, or empty when unknown (NOASSERTION).
	License string
	// SHA256 is the hex checksum of the file it ships as, when it is one file.
	SHA256 string
	// Comment says anything a reader needs, such as "not bundled".
	Comment string
	// Bundled is false for a package the artifact needs from its target but does not contain.
	Bundled bool
}

// Document is the bill of materials of one artifact (a tarball or an image for one platform).
type Document struct {
	// Name names the artifact, as in "visiond-1.0.0-linux-arm64".
	Name string
	// Created is the creation time written into the document; release builds pass the
	// source's commit time so that two builds write the same bytes.
	Created time.Time
	// Root is the artifact's main package (visiond); it DEPENDS_ON every other package, or
	// CONTAINS it when the artifact bundles it.
	Root Package
	// Packages are the components besides Root.
	Packages []Package
}

// spdx* are the parts of the SPDX 2.3 JSON format this package writes.
type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name             string         `json:"name"`
	SPDXID           string         `json:"SPDXID"`
	VersionInfo      string         `json:"versionInfo,omitempty"`
	DownloadLocation string         `json:"downloadLocation"`
	FilesAnalyzed    bool           `json:"filesAnalyzed"`
	LicenseConcluded string         `json:"licenseConcluded"`
	LicenseDeclared  string         `json:"licenseDeclared"`
	CopyrightText    string         `json:"copyrightText"`
	Checksums        []spdxChecksum `json:"checksums,omitempty"`
	ExternalRefs     []spdxRef      `json:"externalRefs,omitempty"`
	Comment          string         `json:"comment,omitempty"`
}

type spdxChecksum struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	SPDXElementID      string `json:"spdxElementId"`
	RelationshipType   string `json:"relationshipType"`
	RelatedSPDXElement string `json:"relatedSpdxElement"`
}

const noAssertion = "NOASSERTION"

// WriteSPDX writes d as indented SPDX 2.3 JSON. Packages are sorted by name and version, and
// the document namespace is derived from the content, so equal inputs give equal bytes.
func (d Document) WriteSPDX(w io.Writer) error {
	if d.Name == "" || d.Root.Name == "" {
		return fmt.Errorf("sbom: the document and its root package need names")
	}
	pkgs := append([]Package(nil), d.Packages...)
	sort.Slice(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Version < pkgs[j].Version
	})
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3",
		DataLicense: "CC0-1.0",
		SPDXID:      "SPDXRef-DOCUMENT",
		Name:        d.Name,
		CreationInfo: spdxCreation{
			Created:  d.Created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: visiond-sbom"},
		},
	}
	rootID := "SPDXRef-Package-0"
	doc.DocumentDescribes = []string{rootID}
	doc.Packages = append(doc.Packages, spdxPkg(d.Root, rootID))
	doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", rootID})
	for i, p := range pkgs {
		id := fmt.Sprintf("SPDXRef-Package-%d", i+1)
		doc.Packages = append(doc.Packages, spdxPkg(p, id))
		rel := "DEPENDS_ON"
		if p.Bundled {
			rel = "CONTAINS"
		}
		doc.Relationships = append(doc.Relationships, spdxRelationship{rootID, rel, id})
	}
	body, err := json.Marshal(doc.Packages)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(append([]byte(d.Name+"\n"), body...))
	doc.DocumentNamespace = "https://github.com/visiond/visiond/spdx/" + url.PathEscape(d.Name) + "-" + hex.EncodeToString(sum[:8])
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func spdxPkg(p Package, id string) spdxPackage {
	lic := p.License
	if lic == "" {
		lic = noAssertion
	}
	sp := spdxPackage{
		Name:             p.Name,
		SPDXID:           id,
		VersionInfo:      p.Version,
		DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion,
		LicenseDeclared:  lic,
		CopyrightText:    noAssertion,
		Comment:          p.Comment,
	}
	if p.SHA256 != "" {
		sp.Checksums = []spdxChecksum{{"SHA256", p.SHA256}}
	}
	if p.PURL != "" {
		sp.ExternalRefs = []spdxRef{{"PACKAGE-MANAGER", "purl", p.PURL}}
	}
	return sp
}

// purlVersion escapes a version for a package URL (a Debian epoch's colon becomes %3A).
func purlVersion(v string) string {
	return strings.ReplaceAll(url.PathEscape(v), ":", "%3A")
}

// OnnxRuntime describes the bundled ONNX Runtime library: file is its name, sum its SHA-256.
func OnnxRuntime(version, file, sum string) Package {
	return Package{
		Name:    "onnxruntime",
		Version: version,
		PURL:    "pkg:github/microsoft/onnxruntime@v" + purlVersion(version),
		License: "MIT",
		SHA256:  sum,
		Comment: file + " from the npm package onnxruntime-node " + version,
		Bundled: true,
	}
}

// RequiredDebian describes a Debian package the artifact needs from its target but does not
// bundle, at the version it was built against.
func RequiredDebian(name, version, distro string) Package {
	return Package{
		Name:    name,
		Version: version,
		PURL:    "pkg:deb/debian/" + name + "@" + purlVersion(version) + "?distro=" + distro,
		Comment: "not bundled: installed from the target's Debian packages; the version built against",
	}
}
