#!/usr/bin/env bash
# The web portal (portal/) in a headless browser against a real licensord in a temporary data
# dir: portal_test.mjs runs the walks (what each checks is listed at its top) in Debian's
# Chromium, driven by playwright-core.
# licensord serves the folder it finds by default, share/licensor/portal beside the binary's
# folder (the build copies portal/ there), which must hold what portal/ holds; a binary with no
# such folder is given --portal-dir SOURCE_DIR/portal.
# Every screen's screenshot is kept in portal-screenshots/ of the folder it runs in (ctest's:
# build/tests/portal/).
# Needs Node.js 18 or later and npm, Chromium (scripts/setup installs Debian's; installed here
# when missing) and the npm registry: the pinned package is installed once per run into a
# scratch folder, with a scratch npm cache, so a run depends on nothing a previous one left.
# usage: portal_test.sh LICENSORD SOURCE_DIR
set -euo pipefail
licensord=$1
root=$2
name=portal
# The last release that runs on Debian 12's Node 18 (1.62 needs Node 20); it drives the
# Chromium Debian 12 ships.
playwright_core=playwright-core@1.61.1
# Deque's accessibility rules, run on every screen the walks reach.
axe_core=axe-core@4.10.3
chromium=/usr/bin/chromium

step_started=$SECONDS
step() {
  echo "portal: $1 ($((SECONDS - step_started)) s so far)"
}

fail() {
  echo "portal: $1" >&2
  exit 1
}
# shellcheck source=../node_support.sh
. "$root/tests/node_support.sh"
# shellcheck source=../licensord_support.sh
. "$root/tests/licensord_support.sh"
node_ensure

if [ ! -x "$chromium" ]; then
  step "installing Debian's chromium"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

portal_args=()
default_portal=$(realpath -m "$(dirname "$(readlink -f "$licensord")")/../share/licensor/portal")
if [ -e "$default_portal/index.html" ]; then
  diff -r "$root/portal" "$default_portal" >/dev/null ||
    fail "$default_portal, which licensord serves, differs from $root/portal: rebuild"
  step "the portal is licensord's default folder, $default_portal"
else
  portal_args=(--portal-dir "$root/portal")
  step "no portal beside the binary: --portal-dir $root/portal"
fi

licensord_scratch

# An ES module finds its packages from where it lies: the walks run next to playwright-core.
runner=$scratch/runner
mkdir -p "$runner"
echo '{"private": true, "type": "module"}' >"$runner/package.json"
cp "$root"/tests/portal/*.mjs "$runner/"
npm_install "$runner" "$scratch" "$playwright_core" "$axe_core"

step "starting licensord"
export LICENSOR_OPERATOR_TOKEN
LICENSOR_OPERATOR_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
# The test clock: the subscription walk moves the server's time (POST /v1/test/clock).
licensord_start 127.0.0.1:0 1 --test-clock "${portal_args[@]}" || exit 1
# Each screen's screenshot is kept beside the test's other results (the build tree), as its artefact.
export CHROMIUM=$chromium PORTAL_SOURCE=$root/portal PORTAL_SCREENSHOTS=$PWD/portal-screenshots
rm -rf "$PORTAL_SCREENSHOTS"

step "driving $($chromium --version 2>/dev/null | head -1) at $url"
(cd "$runner" && node portal_test.mjs)
licensord_stop
