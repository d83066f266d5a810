# shellcheck shell=bash
# What the webhook tests share (sourced, not run): Node.js, the pinned npm package, starting
# licensord and the receiver, and calling the API with curl. The sourcing script sets `name` (its
# prefix in messages) and `licensord` (the binary), and calls scratch_setup for its folder; it runs
# with set -euo pipefail.
# shellcheck disable=SC2154  # name, licensord and scratch come from the sourcing script

# shellcheck source=../node_support.sh
. "$(dirname "${BASH_SOURCE[0]}")/../node_support.sh"
# shellcheck source=../licensord_support.sh
. "$(dirname "${BASH_SOURCE[0]}")/../licensord_support.sh"

# Standard Webhooks' reference library for JavaScript, pinned.
standardwebhooks=standardwebhooks@1.3.0

step_started=$SECONDS
step() {
  echo "$name: $1 ($((SECONDS - step_started)) s so far)"
}

fail() {
  echo "$name: FAILED: $*" >&2
  exit 1
}

# A scratch folder, removed at exit with every process the test started (client_pid, server_pid,
# receiver_pid, those that are set).
scratch_setup() {
  scratch=$(mktemp -d)
  server_pid= receiver_pid= client_pid=
  trap scratch_cleanup EXIT
}
scratch_cleanup() {
  local pid
  for pid in "$client_pid" "$server_pid" "$receiver_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait "$pid" || true
    fi
  done
  licensord_store_stop
  rm -rf "$scratch"
}

# Installs the pinned standardwebhooks into $scratch/node (tests/node_support.sh) and copies the
# tests' scripts next to it (an ES module finds its packages from where it lies).
node_scripts_install() {
  local dir=$scratch/node here
  here=$(dirname "${BASH_SOURCE[0]}")
  mkdir -p "$dir"
  echo '{"private": true, "type": "module"}' >"$dir/package.json"
  cp "$here"/*.mjs "$dir/"
  npm_install "$dir" "$scratch" "$standardwebhooks"
}

# licensord with webhooks allowed to http:// on loopback, where the receiver listens
# (tests/licensord_support.sh: licensord_start LISTEN RUN).
webhook_licensord_start() {
  licensord_start "$1" "$2" --webhook-allow-private yes --webhook-allow-http yes
}

# Starts the receiver, recording into $scratch/deliveries.jsonl, each answer held back by $1 ms
# (default 0); sets receiver_pid and hook_url.
receiver_start() {
  node "$scratch/node/receiver.mjs" "$scratch/deliveries.jsonl" "${1:-0}" >"$scratch/receiver.out" 2>"$scratch/receiver.err" &
  receiver_pid=$!
  hook_url=
  local _ base
  for _ in $(seq 300); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$scratch/receiver.out" || true)
    [ -n "$base" ] && break
    kill -0 "$receiver_pid" 2>/dev/null || { cat "$scratch/receiver.err" >&2; fail "the receiver exited"; }
    sleep 0.1
  done
  [ -n "$base" ] || fail "the receiver did not listen within 30 s"
  hook_url=$base/hook
  receiver_base=$base
}

# Hands the endpoint's secret to the receiver.
receiver_secret() {
  curl --silent --show-error --fail --data-binary "$1" "$receiver_base/secret"
}

# api TOKEN METHOD PATH [BODY]: prints the answer; fails, with the answer, unless it is a 2xx.
# An empty TOKEN calls without one.
api() {
  local token=$1 method=$2 path=$3 body=${4-} status
  local args=(--silent --show-error --cacert "$cert" -X "$method" -o "$scratch/answer.json" -w '%{http_code}')
  [ -z "$token" ] || args+=(-H "Authorization: Bearer $token")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data "$body")
  status=$(curl "${args[@]}" "$url$path") || fail "$method $path: curl failed"
  [[ $status == 2?? ]] || fail "$method $path answered $status: $(cat "$scratch/answer.json")"
  cat "$scratch/answer.json"
}

# field NAME: the named top-level field of the JSON on stdin.
field() {
  node -e '
    const value = JSON.parse(require("fs").readFileSync(0, "utf8"))[process.argv[1]];
    if (value === undefined || value === null) process.exit(1);
    console.log(value);' "$1"
}

# The operator's setup every webhook test needs: a product "app", an issuing partner with an API
# key (partner_key) and customers (customer_ids), named after the given local parts.
partner_setup() {
  api "$LICENSOR_OPERATOR_TOKEN" POST /v1/products '{"id": "app", "name": "App", "tiers": ["basic"]}' >/dev/null
  local partner_id local_part
  partner_id=$(api "$LICENSOR_OPERATOR_TOKEN" POST /v1/partners \
    '{"name": "Webhook partner", "level": "gold", "email_domains": [], "can_issue": true}' | field id)
  partner_key=$(api "$LICENSOR_OPERATOR_TOKEN" POST "/v1/partners/$partner_id/api-keys" '{"label": "tests"}' | field api_key)
  customer_ids=()
  for local_part in "$@"; do
    customer_ids+=("$(api "$partner_key" POST /v1/customers \
      "{\"email\": \"$local_part@example.com\", \"name\": \"Customer $local_part\"}" | field id)")
  done
}

# The seq of the last event in the feed now.
feed_last_seq() {
  local after=0 last
  while :; do
    last=$(api "$LICENSOR_OPERATOR_TOKEN" GET "/v1/events?after=$after&limit=500" | field last_seq)
    [ "$last" = "$after" ] && break
    after=$last
  done
  echo "$after"
}

# Registers an operator endpoint (every type) for the receiver and hands it the secret; sets
# endpoint_id.
endpoint_register() {
  local answer secret
  answer=$(api "$LICENSOR_OPERATOR_TOKEN" POST /v1/webhook-endpoints "{\"url\": \"$hook_url\", \"event_types\": []}")
  # shellcheck disable=SC2034  # for the sourcing script
  endpoint_id=$(field id <<<"$answer")
  secret=$(field secret <<<"$answer")
  receiver_secret "$secret"
}
