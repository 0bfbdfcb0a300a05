#!/usr/bin/env bash
# Usage: deploy/image/rootfs.sh ARCH RELEASE.tar.gz OUT.tar
#
# Writes the root file system of visiond's container image for ARCH (amd64 or arm64) as a tar
# file that deploy/image/Containerfile adds to an empty image. It holds:
#   - Debian bookworm's packages visiond needs, with their dependencies, at the newest versions
#     of bookworm, bookworm-updates and bookworm-security (mmdebstrap; no base image, no
#     registry, no emulation: the packages are unpacked, not configured); a dpkg status file
#     lists them, so that scanners see what is installed;
#   - the release tarball in /opt/visiond, the sample configuration in /etc/visiond, the
#     user visiond (uid and gid 10001) owning /var/lib/visiond/models;
#   - the image's SPDX bill of materials, /opt/visiond/sbom.spdx.json: every Debian package,
#     every Go module, ONNX Runtime. A copy is written beside OUT.tar.
# Every file time is SOURCE_DATE_EPOCH (default: now), so that the same packages give the same tar.
set -euo pipefail
export LC_ALL=C
[ $# = 3 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
arch=$1 release=$2 out=$3
case "$arch" in amd64|arm64) ;; *) echo "rootfs: ARCH must be amd64 or arm64, not $arch" >&2; exit 2 ;; esac
[ -f "$release" ] || { echo "rootfs: no release tarball $release (make dist)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/../.." && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}

# What visiond links (C and C++ runtimes for ONNX Runtime, libjpeg-turbo) and the CA
# certificates `visiond models pull` needs for HTTPS.
packages=libc6,libgcc-s1,libstdc++6,libturbojpeg0,ca-certificates

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fs=$work/rootfs
echo "rootfs: Debian bookworm packages for $arch" >&2
# --skip=cleanup/apt/cache keeps the downloaded packages, whose control data becomes the dpkg
# status file below; they are removed afterwards.
mmdebstrap --quiet --mode=root --variant=extract --architectures="$arch" --include="$packages" \
  --skip=cleanup/apt/cache bookworm "$fs"

# One stanza per package; the archive names sort by package name.
status=$fs/var/lib/dpkg/status
for deb in "$fs"/var/cache/apt/archives/*.deb; do
  dpkg-deb -f "$deb" | sed '1a Status: install ok installed'
  echo
done >"$status"
# The packages and apt's binary caches (rebuilt on every run, with different bytes) go.
rm -f "$fs"/var/cache/apt/archives/*.deb "$fs"/var/cache/apt/*.bin
# The CA bundle is made by ca-certificates' configuration, which extract does not run.
mkdir -p "$fs/etc/ssl/certs"
cat "$fs"/usr/share/ca-certificates/mozilla/*.crt >"$fs/etc/ssl/certs/ca-certificates.crt"

# visiond: the release, its configuration, its user and its state folder.
tar -xzf "$release" -C "$work"
rel=$(find "$work" -maxdepth 1 -name 'visiond-*-linux-*' -type d)
mkdir -p "$fs/opt/visiond" "$fs/etc/visiond" "$fs/var/lib/visiond/models" "$fs/tmp"
cp -R "$rel/bin" "$rel/lib" "$rel/share" "$rel/README.md" "$fs/opt/visiond/"
sed -e 's|^  dir: var/models$|  dir: /var/lib/visiond/models|' "$rel/etc/visiond.yaml" >"$fs/etc/visiond/visiond.yaml"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nvisiond:x:10001:10001:visiond:/var/lib/visiond:/usr/sbin/nologin\n' >"$fs/etc/passwd"
printf 'root:x:0:\nvisiond:x:10001:\n' >"$fs/etc/group"
chown -R 10001:10001 "$fs/var/lib/visiond"
chmod 1777 "$fs/tmp"

version=$(basename "$rel" | sed 's/^visiond-\(.*\)-linux-[a-z0-9]*$/\1/')
(cd "$root" && go run ./cmd/sbom -binary "$fs/opt/visiond/bin/visiond" -name "visiond-$version-image-linux-$arch" \
  -version "$version" -ort-lib "$fs/opt/visiond/lib/libonnxruntime.so.1" -dpkg-status "$status" \
  -o "$fs/opt/visiond/sbom.spdx.json")
cp "$fs/opt/visiond/sbom.spdx.json" "${out%.tar}.spdx.json"

tar --format=gnu --sort=name --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$fs" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "rootfs: wrote $out ($(du -h "$out" | cut -f1))" >&2
