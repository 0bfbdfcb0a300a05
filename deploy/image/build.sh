#!/usr/bin/env bash
# Usage: deploy/image/build.sh VERSION [ARCH...]   (default ARCH: amd64 arm64)
#
# Builds the container image visiond:VERSION from the release tarballs of `make dist`, offline:
# a root file system per architecture from Debian bookworm's packages (deploy/image/rootfs.sh),
# one image per architecture with buildah (localhost/visiond:VERSION-ARCH, from
# deploy/image/Containerfile), and the multi-arch manifest list localhost/visiond:VERSION.
# Running it again picks up the newest Debian (security) updates. The images keep Docker's
# format, whose configuration holds the HEALTHCHECK (the OCI format has no field for it).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
version=$1
shift
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/deploy/image/containers.conf}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
mkdir -p dist/image

manifest=localhost/visiond:$version
for arch in "${arches[@]}"; do
  bash deploy/image/rootfs.sh "$arch" "dist/visiond-$version-linux-$arch.tar.gz" "dist/image/rootfs-$arch.tar"
  buildah bud --quiet --format docker --timestamp "$SOURCE_DATE_EPOCH" --platform "linux/$arch" \
    --build-arg "TARGETARCH=$arch" --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    -f deploy/image/Containerfile -t "$manifest-$arch" dist/image >/dev/null
  echo "image: built $manifest-$arch ($(podman image inspect --format '{{.Size}}' "$manifest-$arch") bytes)" >&2
done
if buildah manifest inspect "$manifest" >/dev/null 2>&1; then
  buildah manifest rm "$manifest" >/dev/null
fi
buildah manifest create "$manifest" >/dev/null
for arch in "${arches[@]}"; do
  buildah manifest add "$manifest" "containers-storage:$manifest-$arch" >/dev/null
done
echo "image: $manifest holds ${arches[*]}" >&2
