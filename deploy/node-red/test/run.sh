#!/usr/bin/env bash
# make test-node-red (run.sh test): the Node-RED package's tests in real Node-RED against a
# real visiond. make node-red-picture (run.sh picture OUT.png): the README's picture of the
# editor. make node-red-bench (run.sh bench [ROUNDS]): the cocossd node's round trip.
# Installs the test tools (Node-RED 4.1, its test helper, mocha, a DeepStack client) into
# deploy/node-red/test/node_modules, and Node-RED 5 with a Node.js 22 into node22/node_modules
# (both ignored by git, reused when present); the specs run on each. Pulls the models the
# nodes need into a temporary folder; the specs (and the picture) start and stop visiond,
# Node-RED and Chromium themselves on free loopback ports. Run from the repository's root
# after `make build`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
mode="${1:-test}"

testdata="${VISIOND_TESTDATA:-../shared}"
mirror="${VISIOND_MODELS_MIRROR:-$testdata/models}"
missing=""
for f in "$testdata"/images/{airplane_airport_1280.jpg,burger.jpg,person_fullbody_pose.jpg,hands.jpg,street_coco_000000373353.jpg}; do
  [ -f "$f" ] || missing="$missing $f"
done
[ -d "$mirror" ] || missing="$missing $mirror"
if [ -n "$missing" ]; then
  msg="test-node-red: missing test data:$missing (set VISIOND_TESTDATA to the shared folder with images/ and models/)"
  if [ "${VISIOND_REQUIRE_TESTDATA:-}" = 1 ]; then
    echo "$msg" >&2
    exit 1
  fi
  echo "$msg; skipping the Node-RED tests"
  exit 0
fi

tools=deploy/node-red/test
# The test tools with Node-RED 4.1 (on the system's Node.js), and Node-RED 5 with a Node.js 22.
for dir in "$tools" "$tools/node22"; do
  stamp="$dir/node_modules/.visiond-tools"
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
    echo "test-node-red: installing the test tools into $dir/node_modules"
    (cd "$dir" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
done

models="$(mktemp -d)"
trap 'rm -rf "$models"' EXIT
bin/visiond models pull --dir "$models" --mirror "$mirror" coco-ssd mobilenet posenet hands > /dev/null

export VISIOND_TEST_MODELS="$models" VISIOND_BIN="$PWD/bin/visiond" VISIOND_TESTDATA="$testdata"
case "$mode" in
  test)
    cd "$tools"
    mocha=(node_modules/.bin/mocha --require ./hooks.js --timeout 60000 --exit '*_spec.js')
    echo "test-node-red: Node-RED $(node -p 'require("node-red/package.json").version') on Node.js $(node --version)"
    node "${mocha[@]}"
    echo "test-node-red: Node-RED $(node -p 'require("./node22/node_modules/node-red/package.json").version') on Node.js $(node22/node_modules/.bin/node --version)"
    VISIOND_NODE_RED="$PWD/node22/node_modules/node-red" node22/node_modules/.bin/node "${mocha[@]}"
    ;;
  picture)
    out="$PWD/${2:?run.sh picture OUT.png}"
    if ! command -v chromium >/dev/null 2>&1; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    cd "$tools"
    node picture.js "$out"
    ;;
  bench)
    cd "$tools"
    node bench.js "${2:-30}"
    ;;
  *)
    echo "usage: run.sh [test | picture OUT.png | bench [ROUNDS]]" >&2
    exit 2
    ;;
esac
