#!/usr/bin/env bash
# Usage: deploy/apt-need.sh PKG[:ARCH]...
# Installs the Debian packages that are missing, with apt-get (as root; a foreign ARCH is added
# to dpkg's architectures first); as another user, names what is missing and fails.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: install the Debian packages ${missing[*]}" >&2
  exit 1
fi
for p in "${missing[@]}"; do
  case "$p" in
    *:*) arch=${p#*:}
         if [ "$arch" != "$(dpkg --print-architecture)" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
           dpkg --add-architecture "$arch"
         fi ;;
  esac
done
echo "installing ${missing[*]} with apt-get" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
