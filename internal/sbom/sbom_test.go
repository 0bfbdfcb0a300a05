package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestGoBinary(t *testing.T) {
	// The test binary itself carries build information like any Go binary.
	main, deps, err := GoBinary(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if main.Name != "github.com/visiond/visiond" || !main.Bundled {
		t.Errorf("main module %+v", main)
	}
	want := "pkg:golang/stdlib@v" + strings.TrimPrefix(runtime.Version(), "go")
	if len(deps) == 0 || deps[0].PURL != want || deps[0].License != "BSD-3-Clause" {
		t.Errorf("first package %+v, want the standard library %s", deps, want)
	}
	if _, _, err := GoBinary(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing binary gave no error")
	}
	notGo := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notGo, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := GoBinary(notGo); err == nil {
		t.Error("a shell script gave no error")
	}
}

func TestGoLicenses(t *testing.T) {
	cache, goroot, out := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The module cache spells capitals as '!' and the lower-case letter.
	write(filepath.Join(cache, "github.com/!burnt!sushi/toml@v1.0.0/COPYING"), "The MIT License\n\nPermission is hereby granted,\n free of charge, to any person")
	write(filepath.Join(cache, "example.org/dual@v0.1.0/LICENSE"), "MIT: Permission is hereby granted, free of charge ...\nApache License\n   Version 2.0, January 2004")
	write(filepath.Join(cache, "example.org/dual@v0.1.0/NOTICE"), "Copyright the authors")
	write(filepath.Join(cache, "example.org/dual@v0.1.0/main.go"), "package dual")
	write(filepath.Join(cache, "example.org/bsd@v1.0.0/LICENSE.txt"), "Redistribution and use in source and binary forms, with or without modification, are permitted")
	write(filepath.Join(goroot, "LICENSE"), "Redistribution and use in source and binary forms ... Neither the name of Google LLC")
	pkgs := []Package{
		{Name: "stdlib", Version: "v1.26.0", License: "BSD-3-Clause"},
		{Name: "github.com/BurntSushi/toml", Version: "v1.0.0"},
		{Name: "example.org/dual", Version: "v0.1.0"},
		{Name: "example.org/bsd", Version: "v1.0.0"},
	}
	if err := GoLicenses(pkgs, cache, goroot, out); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"BSD-3-Clause", "MIT", "Apache-2.0 AND MIT", "BSD-2-Clause"} {
		if pkgs[i].License != want {
			t.Errorf("%s: licence %q, want %q", pkgs[i].Name, pkgs[i].License, want)
		}
	}
	for _, f := range []string{"stdlib@v1.26.0/LICENSE", "github.com/BurntSushi/toml@v1.0.0/COPYING", "example.org/dual@v0.1.0/NOTICE"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("not copied: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "example.org/dual@v0.1.0/main.go")); err == nil {
		t.Error("a source file was copied as a licence")
	}

	write(filepath.Join(cache, "example.org/bare@v1.0.0/go.mod"), "module example.org/bare")
	for _, p := range []Package{{Name: "example.org/bare", Version: "v1.0.0"}, {Name: "example.org/absent", Version: "v1.0.0"}} {
		if err := GoLicenses([]Package{p}, cache, goroot, out); err == nil {
			t.Errorf("%s: no error", p.Name)
		}
	}
}

func TestDebianPackages(t *testing.T) {
	status := `Package: libturbojpeg0
Status: install ok installed
Architecture: arm64
Source: libjpeg-turbo (1:2.1.5-2)
Version: 1:2.1.5-2
Description: TurboJPEG runtime library
 A second line of the description.

Package: removed
Status: deinstall ok config-files
Architecture: arm64
Version: 1.0

Package: libc6
Architecture: arm64
Version: 2.36-9+deb12u14
`
	pkgs, err := DebianPackages(strings.NewReader(status), "debian-12")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 {
		t.Fatalf("got %+v, want libturbojpeg0 and libc6", pkgs)
	}
	if want := "pkg:deb/debian/libturbojpeg0@1%3A2.1.5-2?arch=arm64&distro=debian-12&upstream=libjpeg-turbo"; pkgs[0].PURL != want {
		t.Errorf("purl %s, want %s", pkgs[0].PURL, want)
	}
	if pkgs[1].Name != "libc6" || pkgs[1].Version != "2.36-9+deb12u14" {
		t.Errorf("last package %+v", pkgs[1])
	}
	for _, bad := range []string{"Package: x\nVersion: 1\n", "no colon here\n", "Package: x\nArchitecture: all\nVersion: 1\nDescription: " + strings.Repeat("x", maxStatusLine+1) + "\n"} {
		if _, err := DebianPackages(strings.NewReader(bad), "debian-12"); err == nil {
			t.Errorf("%.40q: no error", bad)
		}
	}
}

func TestWriteSPDX(t *testing.T) {
	doc := Document{
		Name:    "visiond-1.0.0-linux-arm64",
		Created: time.Unix(1700000000, 0),
		Root:    Package{Name: "visiond", Version: "1.0.0", SHA256: "ab"},
		Packages: []Package{
			OnnxRuntime("1.30.0", "libonnxruntime.so.1", "cd"),
			RequiredDebian("libturbojpeg0", "1:2.1.5-2", "debian-12"),
			{Name: "golang.org/x/sys", Version: "v0.49.0", PURL: "pkg:golang/golang.org/x/sys@v0.49.0", License: "BSD-3-Clause", Bundled: true},
		},
	}
	var a, b bytes.Buffer
	if err := doc.WriteSPDX(&a); err != nil {
		t.Fatal(err)
	}
	doc.Packages[0], doc.Packages[2] = doc.Packages[2], doc.Packages[0]
	if err := doc.WriteSPDX(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same packages in another order gave another document")
	}
	var got spdxDoc
	if err := json.Unmarshal(a.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.SPDXVersion != "SPDX-2.3" || got.CreationInfo.Created != "2023-11-14T22:13:20Z" || !strings.HasPrefix(got.DocumentNamespace, "https://") {
		t.Errorf("header %+v", got)
	}
	rels := map[string]string{}
	for _, r := range got.Relationships {
		for _, p := range got.Packages {
			if p.SPDXID == r.RelatedSPDXElement {
				rels[p.Name] = r.RelationshipType
			}
		}
	}
	want := map[string]string{"visiond": "DESCRIBES", "onnxruntime": "CONTAINS", "golang.org/x/sys": "CONTAINS", "libturbojpeg0": "DEPENDS_ON"}
	for name, rel := range want {
		if rels[name] != rel {
			t.Errorf("%s: relationship %q, want %q", name, rels[name], rel)
		}
	}
	if got.Packages[0].LicenseDeclared != "NOASSERTION" || got.Packages[0].Checksums[0].ChecksumValue != "ab" {
		t.Errorf("root package %+v", got.Packages[0])
	}
	if err := (Document{Name: "x"}).WriteSPDX(&a); err == nil {
		t.Error("a document without a root package gave no error")
	}
}
