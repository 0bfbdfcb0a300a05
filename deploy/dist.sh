#!/usr/bin/env bash
# Builds the release tarballs: dist/visiond-VERSION-linux-ARCH.tar.gz for each ARCH given
# (default: amd64 arm64), and dist/SHA256SUMS. Each tarball holds
#
#   bin/visiond              cgo build, stamped with VERSION and the commit
#   lib/libonnxruntime.so.1  ONNX Runtime 1.30.0 for ARCH (visiond finds it beside itself)
#   etc/visiond.yaml         the sample configuration
#   systemd/visiond.service  the systemd unit;  install.sh: installs all of it on a Pi or VM
#   share/licenses/          licence texts of everything bundled (Go modules, Go, ONNX Runtime)
#   sbom.spdx.json           the SPDX bill of materials
#
# libjpeg-turbo is linked dynamically: the target needs the Debian package libturbojpeg0.
# VERSION defaults to the VERSION file (the Node-RED package carries the same). Cross-compiling for arm64 on
# amd64 installs the cross compiler and arm64 libjpeg-turbo with apt-get (as root).
# Reproducible: file times are the commit's time (SOURCE_DATE_EPOCH), and go builds with
# -trimpath, so two builds of one commit give the same tarballs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { echo "dist: $*" >&2; }

version=${VERSION:-$(cat VERSION)}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
case "$version" in
  *[!A-Za-z0-9._+-]*|"") say "VERSION may hold letters, digits and . _ + - only, not '$version'"; exit 1 ;;
esac

host_arch=$(go env GOHOSTARCH)
# toolchain ARCH: sets cc for building ARCH, installing the cross compiler and ARCH's
# libjpeg-turbo (headers and jconfig.h, for `visiond version`) when ARCH is not the host's.
toolchain() {
  local arch=$1 triplet
  case "$arch" in
    amd64) triplet=x86_64-linux-gnu ;;
    arm64) triplet=aarch64-linux-gnu ;;
    *) say "unsupported architecture $arch (amd64 or arm64)"; exit 1 ;;
  esac
  if [ "$arch" = "$host_arch" ]; then
    cc=gcc
    bash deploy/apt-need.sh libturbojpeg0-dev libjpeg62-turbo-dev
    return
  fi
  cc=$triplet-gcc
  bash deploy/apt-need.sh "gcc-$triplet" "libc6-dev-$arch-cross" "libturbojpeg0-dev:$arch" "libjpeg62-turbo-dev:$arch"
}

mkdir -p dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sbom" ./cmd/sbom

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
for arch in "${arches[@]}"; do
  toolchain "$arch"
  ort_arch=$arch; [ "$arch" = amd64 ] && ort_arch=x64
  bash deploy/setup.sh "$ort_arch"
  name=visiond-$version-linux-$arch
  stage=$work/$name
  mkdir -p "$stage/bin" "$stage/lib" "$stage/etc" "$stage/systemd" "$stage/share/licenses"
  say "building $name"
  CGO_ENABLED=1 GOOS=linux GOARCH=$arch CC=$cc go build -trimpath -o "$stage/bin/visiond" \
    -ldflags "-s -w -X github.com/visiond/visiond/internal/version.Version=$version -X github.com/visiond/visiond/internal/version.Commit=$commit" \
    ./cmd/visiond
  cp ".deps/onnxruntime-1.30.0-linux-$ort_arch/libonnxruntime.so.1" "$stage/lib/"
  cp deploy/visiond.yaml "$stage/etc/"
  cp deploy/systemd/visiond.service "$stage/systemd/"
  cp deploy/install.sh "$stage/"
  cp README.md "$stage/"
  cp deploy/notices/onnxruntime.txt deploy/notices/libjpeg-turbo.txt "$stage/share/licenses/"
  turbo=$(dpkg-query -W -f='${Version}' "libturbojpeg0:$arch")
  "$work/sbom" -binary "$stage/bin/visiond" -name "$name" -version "$version" \
    -ort-lib "$stage/lib/libonnxruntime.so.1" -requires "libturbojpeg0=$turbo" \
    -licenses "$stage/share/licenses/go" -o "$stage/sbom.spdx.json"
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  tar --sort=name --owner=0 --group=0 --numeric-owner --mode=go-w,a+rX --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$work" -cf - "$name" | gzip -n -9 >"dist/$name.tar.gz.tmp"
  mv "dist/$name.tar.gz.tmp" "dist/$name.tar.gz"
  say "wrote dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
done

(cd dist && sha256sum visiond-"$version"-linux-*.tar.gz >SHA256SUMS)
say "wrote dist/SHA256SUMS"
