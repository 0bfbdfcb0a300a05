#!/usr/bin/env bash
# Installs visiond from an unpacked release tarball on a Raspberry Pi (arm64) or a VM (amd64)
# running Debian 12 or Raspberry Pi OS 12 with systemd:
#
#   tar -xzf visiond-VERSION-linux-arm64.tar.gz
#   sudo visiond-VERSION-linux-arm64/install.sh [--models-mirror DIR|URL] [--no-start]
#
# It puts the release in /opt/visiond (binary, ONNX Runtime, licences, SBOM), links
# /usr/local/bin/visiond, installs the Debian package libturbojpeg0 if missing, writes
# /etc/visiond/visiond.yaml and /etc/visiond/visiond.env unless they exist (an upgrade keeps
# them), installs the systemd unit, and enables and starts the service, which pulls the
# default models into /var/lib/visiond/models on its first start.
#
# --root DIR installs into DIR instead of / and touches neither apt nor systemd (for images
# and tests).
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
root=/
mirror=""
start=yes

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a folder"; root=$2; shift 2 ;;
    --models-mirror) [ $# -ge 2 ] || die "--models-mirror needs a folder or URL"; mirror=$2; shift 2 ;;
    --no-start) start=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done
case "$mirror" in
  *[[:space:]\"\\]*) die "--models-mirror must not hold spaces, quotes or backslashes" ;;
esac

[ -x "$src/bin/visiond" ] && [ -f "$src/lib/libonnxruntime.so.1" ] && [ -f "$src/systemd/visiond.service" ] ||
  die "run the install.sh of an unpacked release tarball (bin/, lib/, systemd/ beside it)"
mkdir -p "$root"
root=$(cd "$root" && pwd)
live=no
[ "$root" = / ] && live=yes
if [ "$live" = yes ]; then
  [ "$(id -u)" = 0 ] || die "run as root (sudo), or pass --root DIR"
  # The ELF header's machine field: 3e is x86-64, b7 is aarch64.
  case "$(uname -m):$(od -An -tx1 -j18 -N1 "$src/bin/visiond" | tr -d ' ')" in
    x86_64:3e|aarch64:b7) ;;
    *) die "this release is not for this machine ($(uname -m)): take the tarball of its architecture" ;;
  esac
  if ! ldconfig -p | grep -q 'libturbojpeg\.so\.0 '; then
    echo "install: installing the Debian package libturbojpeg0" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0
  fi
fi

opt=$root/opt/visiond
echo "install: $opt" >&2
rm -rf "$opt.new"
mkdir -p "$opt.new"
cp -R "$src/bin" "$src/lib" "$src/share" "$src/systemd" "$src/sbom.spdx.json" "$src/README.md" "$opt.new/"
cp "$src/etc/visiond.yaml" "$opt.new/visiond.yaml.sample"
if [ -d "$opt" ]; then
  rm -rf "$opt.old" && mv "$opt" "$opt.old"
fi
mv "$opt.new" "$opt"
rm -rf "$opt.old"
mkdir -p "$root/usr/local/bin"
ln -sfn ../../../opt/visiond/bin/visiond "$root/usr/local/bin/visiond"

etc=$root/etc/visiond
mkdir -p "$etc"
if [ ! -f "$etc/visiond.yaml" ]; then
  sed 's|^  dir: var/models$|  dir: /var/lib/visiond/models|' "$src/etc/visiond.yaml" >"$etc/visiond.yaml"
  echo "install: wrote $etc/visiond.yaml" >&2
fi
if [ ! -f "$etc/visiond.env" ]; then
  {
    echo "# VISIOND_* settings of the visiond service (systemctl restart visiond after a change)."
    echo "# Models installed before each start; intact files are kept."
    echo "VISIOND_PULL=coco-ssd mobilenet posenet"
    if [ -n "$mirror" ]; then
      echo "VISIOND_MODELS_MIRROR=$mirror"
    else
      echo "# A folder or URL holding the model files, for machines without internet access:"
      echo "#VISIOND_MODELS_MIRROR=/srv/visiond-models"
    fi
  } >"$etc/visiond.env"
  echo "install: wrote $etc/visiond.env" >&2
fi
mkdir -p "$root/etc/systemd/system"
cp "$src/systemd/visiond.service" "$root/etc/systemd/system/visiond.service"

if [ "$live" = yes ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$start" = yes ]; then
    systemctl enable visiond.service
    systemctl restart visiond.service
  fi
fi

cat <<EOF
visiond $("$opt/bin/visiond" version 2>/dev/null | sed -n 's/^visiond *//p') is installed in $opt.
Check it:
  systemctl status visiond          # active (running) once the models are loaded
  journalctl -u visiond -f          # its log: "msg=ready" when it serves
  curl -s localhost:8080/readyz     # {"models":[...],"status":"ready"}
  visiond version                   # versions of visiond, ONNX Runtime, libjpeg-turbo, Go
Configuration: /etc/visiond/visiond.yaml and /etc/visiond/visiond.env; models: /var/lib/visiond/models.
EOF
