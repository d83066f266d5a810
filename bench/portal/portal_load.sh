#!/usr/bin/env bash
# The portal's first load (portal_load.mjs), for scripts/bench: licensord from BUILD_DIR with the
# demo programme in a temporary folder, the portal from the source tree, Debian's Chromium driven
# by playwright-core from npm (a scratch folder).
# usage: bench/portal/portal_load.sh BUILD_DIR REPETITIONS
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
licensord=$1/server/licensord
repetitions=$2
name=portal_bench
step() { echo "portal_bench: $1" >&2; }
fail() { echo "portal_bench: $1" >&2; exit 1; }
# shellcheck source=../../tests/node_support.sh
. "$root/tests/node_support.sh"
# shellcheck source=../../tests/licensord_support.sh
. "$root/tests/licensord_support.sh"
node_ensure
licensord_scratch
mkdir -p "$scratch/runner"
echo '{"private": true, "type": "module"}' >"$scratch/runner/package.json"
cp "$root/bench/portal/portal_load.mjs" "$scratch/runner/"
npm_install "$scratch/runner" "$scratch" playwright-core@1.61.1 >&2
export LICENSOR_OPERATOR_TOKEN
LICENSOR_OPERATOR_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
licensord_start 127.0.0.1:0 1 --portal-dir "$root/portal"
python3 "$root/scripts/demo_data.py" "$url" "$cert" >/dev/null
(cd "$scratch/runner" && CHROMIUM=/usr/bin/chromium node portal_load.mjs "$repetitions")
licensord_stop
