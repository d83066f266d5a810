#!/usr/bin/env bash
# Webhook delivery survives crashes: licensord is killed (SIGKILL) 5 times while a client keeps
# changing licenses, and restarted each time on the same data dir and port; delivery must still
# be at least once, only of committed changes, and in order within a subject.
#  1. An operator's endpoint (every type) is registered for the receiver (receiver.mjs, which
#     verifies every delivery with the pinned standardwebhooks package, records it, and holds its
#     answer back 30 ms so that kills often land while deliveries are in flight); a client
#     (change_stream.mjs) issues licenses for 4 customers and suspends and reinstates them at
#     random, recording which changes were acknowledged (a 2xx).
#  2. Meanwhile licensord is killed every 0.5 to 2 s and restarted at once; after the fifth
#     restart the client goes on for 2 s and stops.
#  3. Within 60 s, every event of the feed (GET /v1/events) after the endpoint's creation has
#     arrived (at least once), and delivery_checks.mjs asserts that every acknowledged change's
#     event arrived (per license and type, at least as many as were acknowledged); that every
#     delivered event is the feed's (so its change committed) and every license a delivered
#     license.issued names exists; that the first arrivals of each subject (duplicates dropped
#     by webhook-id) have increasing seqs; and that every delivery verified.
# A change whose answer the kill swallowed may have committed or not: its event may arrive, it
# need not. Needs Node.js 18 or later and npm (as standard_webhooks_test.sh) and the registry.
# usage: crash_delivery_test.sh LICENSORD SOURCE_DIR
set -euo pipefail
licensord=$1
# SOURCE_DIR is the tests' common signature; the scripts this test needs lie next to it.
name=crash_delivery
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=support.sh
source "$here/support.sh"

kills_wanted=5
# The receiver holds each answer back this long, so that kills often land while deliveries are
# in flight: the receiver has the event, licensord has not recorded it, and sends it again.
answer_delay_ms=30

node_ensure
scratch_setup

node_scripts_install

# One port for the whole test, so the client's URL holds across restarts.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
runs=0
# Starts licensord on the test's port; a port another process took meanwhile, or one the last
# run's sockets still hold, gets a few more tries.
restart() {
  local _
  for _ in $(seq 20); do
    runs=$((runs + 1))
    webhook_licensord_start "127.0.0.1:$port" "$runs" && return 0
    sleep 0.25
  done
  fail "licensord did not start again on port $port"
}

step "starting licensord on port $port and the receiver"
export LICENSOR_OPERATOR_TOKEN
LICENSOR_OPERATOR_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
restart
receiver_start "$answer_delay_ms"
partner_setup ann ben cid dee
export PARTNER_KEY=$partner_key

step "registering an operator endpoint for $hook_url"
cursor=$(feed_last_seq)
endpoint_register

step "starting the client's stream of changes"
node "$scratch/node/change_stream.mjs" "$scratch/acks.jsonl" "${customer_ids[@]}" \
  >"$scratch/client.out" 2>"$scratch/client.err" &
client_pid=$!

kills=0
while [ "$kills" -lt "$kills_wanted" ]; do
  pause_ms=$((500 + RANDOM % 1500))
  sleep "$((pause_ms / 1000)).$(printf %03d $((pause_ms % 1000)))"
  kill -0 "$client_pid" 2>/dev/null || { cat "$scratch/client.err" >&2; fail "the client stopped"; }
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$scratch/licensord.$runs.err" >&2
    fail "licensord (run $runs) exited by itself"
  fi
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  kills=$((kills + 1))
  changes=$(grep -c '"ok":true' "$scratch/acks.jsonl" 2>/dev/null || true)
  step "kill $kills after ${pause_ms} ms ($changes changes acknowledged so far); restarting"
  restart
done

sleep 2
kill -TERM "$client_pid"
wait "$client_pid" || { cat "$scratch/client.err" >&2; fail "the client failed"; }
client_pid=
cat "$scratch/client.out"

step "waiting for delivery to settle, then checking it"
node "$scratch/node/delivery_checks.mjs" crash "$cursor" "$scratch/deliveries.jsonl" "$scratch/acks.jsonl" 60 "$kills" || {
  for err in "$scratch"/licensord.*.err; do
    grep -v WARNING "$err" | sed "s|^|$name: $(basename "$err"): |" >&2 || true
  done
  echo "$name: the endpoint's delivery log, newest first:" >&2
  (api "$LICENSOR_OPERATOR_TOKEN" GET "/v1/webhook-endpoints/$endpoint_id/deliveries?limit=50") >&2 || true
  echo >&2
  fail "see above"
}

licensord_stop
step "done"
