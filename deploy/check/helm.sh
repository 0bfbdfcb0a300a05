#!/usr/bin/env bash
# Prints the path of helm v4.3.2, which `make test-deploy` uses. It is built from source with
# `go install` once per machine (about 4 minutes) into the tool cache outside the checkout,
# ${XDG_CACHE_HOME:-$HOME/.cache}/visiond/bin, and reused from there.
set -euo pipefail
version=v4.3.2
dir="${XDG_CACHE_HOME:-$HOME/.cache}/visiond/bin"
bin="$dir/helm-$version"
if [ ! -x "$bin" ]; then
  echo "test-deploy: building helm $version into $dir (once per machine, about 4 minutes)" >&2
  mkdir -p "$dir"
  tmp="$(mktemp -d "$dir/.helm-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS=-trimpath go install "helm.sh/helm/v4/cmd/helm@$version" >&2
  mv "$tmp/helm" "$bin"
fi
echo "$bin"
