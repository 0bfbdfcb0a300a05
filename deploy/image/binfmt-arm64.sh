#!/usr/bin/env bash
# Lets this amd64 machine run arm64 programs, and so arm64 containers, through
# qemu-aarch64-static: mounts binfmt_misc if needed and registers Debian's qemu-aarch64 entry
# (flag F: the interpreter is opened now, so it works inside containers too). Needs root;
# does nothing when arm64 programs already run.
set -euo pipefail
[ "$(uname -m)" = aarch64 ] && exit 0
dir=/proc/sys/fs/binfmt_misc
if [ -e "$dir/qemu-aarch64" ] && grep -qx enabled "$dir/qemu-aarch64"; then
  exit 0
fi
conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -f "$conf" ] || { echo "binfmt: $conf is missing (apt-get install qemu-user-static)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "binfmt: registering qemu-aarch64 needs root" >&2; exit 1; }
if [ ! -e "$dir/register" ]; then
  mount -t binfmt_misc binfmt_misc "$dir"
fi
if [ ! -e "$dir/qemu-aarch64" ]; then
  cat "$conf" >"$dir/register"
fi
echo 1 >"$dir/qemu-aarch64"
echo "binfmt: arm64 programs run through $(sed -n 's/^interpreter //p' "$dir/qemu-aarch64")" >&2
