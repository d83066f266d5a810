#!/usr/bin/env bash
# licensord's webhooks against an independent implementation of Standard Webhooks: a receiver
# (receiver.mjs) checks every delivery with the specification's reference library for JavaScript
# (npm standardwebhooks, pinned), so a signature licensord computes its own way but the library
# does not accept fails here, where licensord's own unit tests would agree with themselves.
#  1. An operator's endpoint (every type) is registered for the receiver; a scripted walk as a
#     partner then issues two licenses, activates one, suspends, reinstates, transfers, unlinks,
#     revokes and deletes, and the operator sends the endpoint a test event.
#  2. Every event the feed (GET /v1/events) shows after the endpoint's creation arrives within
#     30 s; each delivery verifies, its webhook-id is the envelope's id, the same delivery with a
#     byte of the body changed is rejected, and so is the same delivery with its timestamp 10
#     minutes old (a replay outside the library's 5-minute tolerance); each delivery is the
#     feed's event; events of one subject arrive in seq order; and every type the walk causes
#     arrives: license.issued, .activated, .suspended, .reinstated, .transferred, .unlinked,
#     .revoked, .deleted and webhook.test.
# Needs Node.js 18 or later and npm (Debian's are installed when node is missing) and the npm
# registry: the pinned package is installed once per run into a scratch folder, with a scratch
# npm cache, so a run depends on nothing a previous one left.
# usage: standard_webhooks_test.sh LICENSORD SOURCE_DIR
set -euo pipefail
licensord=$1
# SOURCE_DIR is the tests' common signature; the scripts this test needs lie next to it.
name=standard_webhooks
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=support.sh
source "$here/support.sh"

node_ensure
scratch_setup

node_scripts_install

step "starting licensord and the receiver"
export LICENSOR_OPERATOR_TOKEN
LICENSOR_OPERATOR_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
webhook_licensord_start 127.0.0.1:0 1 || fail "licensord did not start"
receiver_start 0
partner_setup alice bob
alice=${customer_ids[0]}
bob=${customer_ids[1]}
export PARTNER_KEY=$partner_key

step "registering an operator endpoint for $hook_url"
cursor=$(feed_last_seq)
endpoint_register

step "the walk: issue, activate, suspend, reinstate, transfer, unlink, revoke, delete, test"
as_partner() {
  api "$partner_key" "$@" >/dev/null
}
first=$(api "$partner_key" POST /v1/licenses "{\"customer_id\": \"$alice\", \"product\": \"app\", \"kind\": \"paid\"}")
first_id=$(field id <<<"$first")
activation_key=$(field activation_key <<<"$first")
second_id=$(api "$partner_key" POST /v1/licenses "{\"customer_id\": \"$alice\", \"product\": \"app\", \"kind\": \"paid\"}" | field id)
api "" POST /v1/activate \
  "{\"activation_key\": \"$activation_key\", \"email\": \"alice@example.com\", \"fingerprint\": \"machine-1\"}" >/dev/null
as_partner POST "/v1/licenses/$first_id/suspend"
as_partner POST "/v1/licenses/$first_id/reinstate"
as_partner POST "/v1/licenses/$first_id/transfer" "{\"customer_id\": \"$bob\"}"
as_partner POST "/v1/licenses/$first_id/unlink"
as_partner POST "/v1/licenses/$second_id/revoke"
as_partner DELETE "/v1/licenses/$second_id"
api "$LICENSOR_OPERATOR_TOKEN" POST "/v1/webhook-endpoints/$endpoint_id/test" >/dev/null

step "waiting for every event of the feed after seq $cursor to arrive verified"
node "$scratch/node/delivery_checks.mjs" standard "$cursor" "$scratch/deliveries.jsonl" 30 || {
  echo "$name: the endpoint's delivery log:" >&2
  (api "$LICENSOR_OPERATOR_TOKEN" GET "/v1/webhook-endpoints/$endpoint_id/deliveries?limit=100") >&2 || true
  echo >&2
  fail "see above"
}

licensord_stop
step "done"
