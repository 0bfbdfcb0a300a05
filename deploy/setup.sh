#!/usr/bin/env bash
# Installs what visiond needs to build and run on a Debian 12 / Raspberry Pi OS machine:
# the ONNX Runtime shared library for this machine's architecture, into .deps/ inside the
# checkout (never system-wide). Idempotent: a verified library already in place is kept.
#
# Usage: deploy/setup.sh [x64|arm64]   (default: this machine's; `make dist` asks for both)
#
# Sources, in order:
#   1. the npm package onnxruntime-node (fetched with `npm pack`, only the library is extracted);
#   2. the onnxruntime release tarball from its GitHub releases page (machines without npm).
set -euo pipefail

ORT_VERSION=1.30.0
root=$(cd "$(dirname "$0")/.." && pwd)

case "${1:-$(uname -m)}" in
  x86_64|amd64|x64) arch=x64;   tar_arch=x64;     want_sha=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23; elf_machine="x86-64" ;;
  aarch64|arm64) arch=arm64; tar_arch=aarch64; want_sha=1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76; elf_machine="aarch64" ;;
  *) echo "setup: unsupported architecture ${1:-$(uname -m)} (visiond supports x86_64 and aarch64)" >&2; exit 1 ;;
esac

dest_dir="$root/.deps/onnxruntime-$ORT_VERSION-linux-$arch"
dest="$dest_dir/libonnxruntime.so.1"

say() { echo "setup: $*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  apt_install "$2"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# apt_install PKG...: installs Debian packages when running as root, else says what is missing.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null && return 0
  fi
  say "missing: install the Debian packages $*"
  exit 1
}

# libjpeg-turbo's TurboJPEG API decodes camera JPEGs at reduced scale (models/preprocess/turbo).
if ! printf '#include <turbojpeg.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
  apt_install libturbojpeg0-dev
fi

# is_elf_for FILE: the file is an ELF shared object for this machine.
is_elf_for() {
  file -b "$1" | grep -q "ELF 64-bit LSB shared object, $elf_machine"
}

if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$want_sha" ]; then
  exit 0
fi
if [ -f "$dest" ] && [ -f "$dest.source" ] && grep -q '^github' "$dest.source" && is_elf_for "$dest"; then
  exit 0
fi

need file file
need sha256sum coreutils
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest_dir"

# The npm package holds the libraries of both architectures; it is kept outside the checkout
# so that the other architecture, and other checkouts, do not fetch it again.
npm_cache="${XDG_CACHE_HOME:-$HOME/.cache}/visiond/npm"
npm_tgz="$npm_cache/onnxruntime-node-$ORT_VERSION.tgz"

from_npm() {
  if [ ! -f "$npm_tgz" ]; then
    command -v npm >/dev/null 2>&1 || return 1
    say "fetching onnxruntime-node@$ORT_VERSION with npm pack"
    (cd "$work" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null 2>"$work/npm.log") || { cat "$work/npm.log" >&2; return 1; }
    mkdir -p "$npm_cache" && mv "$work/onnxruntime-node-$ORT_VERSION.tgz" "$npm_tgz"
  fi
  local member="package/bin/napi-v6/linux/$arch/libonnxruntime.so.1"
  tar -xzf "$npm_tgz" -C "$work" "$member" || return 1
  local got
  got=$(sha_of "$work/$member")
  if [ "$got" != "$want_sha" ]; then
    say "checksum mismatch for $member: got $got, want $want_sha"
    return 1
  fi
  mv "$work/$member" "$dest.tmp" && mv "$dest.tmp" "$dest"
  echo "npm onnxruntime-node@$ORT_VERSION sha256=$want_sha" >"$dest.source"
}

from_github() {
  need curl curl
  local name="onnxruntime-linux-$tar_arch-$ORT_VERSION"
  say "fetching $name.tgz from the onnxruntime GitHub releases"
  curl -fsSL --retry 2 -o "$work/ort.tgz" \
    "https://github.com/microsoft/onnxruntime/releases/download/v$ORT_VERSION/$name.tgz" || return 1
  tar -xzf "$work/ort.tgz" -C "$work" "$name/lib/libonnxruntime.so.$ORT_VERSION" || return 1
  local lib="$work/$name/lib/libonnxruntime.so.$ORT_VERSION"
  # The release library is built separately from the npm one, so its checksum differs;
  # check that it is a sane library for this machine instead.
  if ! is_elf_for "$lib" || [ "$(stat -c %s "$lib")" -lt 10000000 ]; then
    say "the release tarball does not hold a usable library for $elf_machine"
    return 1
  fi
  mv "$lib" "$dest.tmp" && mv "$dest.tmp" "$dest"
  echo "github $name.tgz sha256=$(sha_of "$dest")" >"$dest.source"
}

if from_npm || from_github; then
  say "installed ONNX Runtime $ORT_VERSION at ${dest#"$root"/}"
else
  say "could not install ONNX Runtime $ORT_VERSION: neither npm nor the GitHub release was reachable"
  exit 1
fi
