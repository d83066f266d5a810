# shellcheck shell=bash
# Node.js for the tests that use npm packages (tests/api, tests/webhooks); sourced, not run. The
# sourcing script defines `step MESSAGE` and `fail MESSAGE` and runs with set -euo pipefail.

# Node.js 18 or later and npm; Debian's are installed when node is missing.
node_ensure() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    step "installing Debian's nodejs and npm"
    local sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 18 ] || fail "Node.js $(node --version) is too old; 18 or later is needed"
}

# npm_install DIR SCRATCH PACKAGE...: installs the pinned PACKAGEs into DIR, with a scratch npm
# cache under SCRATCH so that a run depends on nothing a previous one left. The registry
# sometimes resets a connection mid-download: npm retries each fetch, and the whole install is
# tried three times before the test gives up.
npm_install() {
  local dir=$1 scratch_dir=$2
  shift 2
  export npm_config_cache=$scratch_dir/npm-cache npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  export npm_config_fetch_retries=5 npm_config_fetch_retry_mintimeout=2000 npm_config_fetch_retry_maxtimeout=30000
  local attempt
  for attempt in 1 2 3; do
    step "npm install $*, attempt $attempt (node $(node --version), npm $(npm --version))"
    if (cd "$dir" && npm install --no-save --loglevel=error "$@" >"$scratch_dir/npm.log" 2>&1); then
      return 0
    fi
    tail -5 "$scratch_dir/npm.log" >&2
    sleep $((attempt * 5))
  done
  cat "$scratch_dir/npm.log" >&2
  fail "npm install $* failed three times"
}
