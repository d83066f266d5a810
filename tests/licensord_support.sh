# shellcheck shell=bash
# Starting and stopping a real licensord for the scripted tests (tests/api, tests/webhooks,
# tests/portal, scripts/screenshots); sourced, not run. The sourcing script sets `name` (its
# prefix in messages) and `licensord` (the binary), has a temporary folder `scratch` (its own, or
# licensord_scratch's), defines `fail MESSAGE`, and runs with set -euo pipefail.
# shellcheck disable=SC2154  # name, licensord and scratch come from the sourcing script

# A scratch folder ($scratch) for a script that runs one licensord: removed at exit, with
# licensord if it still runs.
licensord_scratch() {
  scratch=$(mktemp -d)
  server_pid=
  trap licensord_scratch_cleanup EXIT
}
licensord_scratch_cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" || true
  fi
  licensord_store_stop
  rm -rf "$scratch"
}

# The store licensord runs on, chosen by LICENSOR_TEST_STORE: "postgresql" starts a throwaway
# PostgreSQL (tests/pg_cluster) at the first licensord_start and keeps its database across
# restarts, as the data dir is; anything else leaves the LMDB default. Its own folder under /tmp:
# the server runs as the postgres user, who cannot enter $scratch.
licensord_store_args=()
licensord_pg_dir=
licensord_store_prepare() {
  [ "${LICENSOR_TEST_STORE:-}" = postgresql ] && [ -z "$licensord_pg_dir" ] || return 0
  licensord_pg_dir=$(mktemp -d /tmp/licensor-pg-XXXXXX)
  local conninfo
  conninfo=$("$(dirname "${BASH_SOURCE[0]}")/pg_cluster" start "$licensord_pg_dir") || fail "PostgreSQL did not start"
  licensord_store_args=(--store "$conninfo")
}
# Stops that PostgreSQL, if one was started (the sourcing script's cleanup calls it).
licensord_store_stop() {
  [ -n "$licensord_pg_dir" ] || return 0
  "$(dirname "${BASH_SOURCE[0]}")/pg_cluster" stop "$licensord_pg_dir"
  rm -rf "$licensord_pg_dir"
  licensord_pg_dir=
}

# licensord_start LISTEN RUN [ARG...]: starts licensord listening on LISTEN (127.0.0.1:0 or a
# fixed port) on $scratch/data, with ARGs added, its output in $scratch/licensord.RUN.{out,err};
# sets server_pid, url and cert, and exports NODE_EXTRA_CA_CERTS and LICENSOR_URL. The operator
# token is LICENSOR_OPERATOR_TOKEN, which the caller exports. Returns 1 when licensord exits
# before it listens.
licensord_start() {
  local listen=$1 run=$2
  shift 2
  local out=$scratch/licensord.$run.out err=$scratch/licensord.$run.err
  licensord_store_prepare
  "$licensord" --listen "$listen" --data-dir "$scratch/data" --log-level warn ${licensord_store_args[@]+"${licensord_store_args[@]}"} \
    "$@" >"$out" 2>"$err" &
  server_pid=$!
  url=
  local _
  for _ in $(seq 300); do
    url=$(grep -o 'licensord listening on https://[0-9.]*:[0-9]*' "$out" | sed 's/^licensord listening on //' || true)
    [ -n "$url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" || true
      server_pid=
      echo "$name: licensord exited before listening:" >&2
      cat "$err" >&2
      return 1
    fi
    sleep 0.1
  done
  [ -n "$url" ] || fail "licensord did not listen within 30 s"
  # The development certificate names 127.0.0.1, so trusting it is all TLS needs: no certificate
  # check is turned off anywhere.
  cert=$scratch/data/tls/cert.pem
  export NODE_EXTRA_CA_CERTS=$cert LICENSOR_URL=$url
}

# Stops licensord (SIGTERM) and checks that it stopped cleanly.
licensord_stop() {
  kill "$server_pid"
  wait "$server_pid" || {
    cat "$scratch"/licensord.*.err >&2
    fail "licensord did not stop cleanly"
  }
  server_pid=
}
