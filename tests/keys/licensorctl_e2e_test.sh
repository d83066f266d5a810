#!/usr/bin/env bash
# End-to-end test of licensorctl: init, sign, verify, rotate, revoke, as an operator runs them.
# usage: licensorctl_e2e_test.sh LICENSORCTL LICENSORCTL_CHEAP_KDF
# The second binary is the test-only build with libsodium's minimum Argon2id cost; the shipped
# binary is used where its strong default cost is the point, or where no key is wrapped.
set -euo pipefail
real=$1
ctl=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset LICENSOR_PASSPHRASE
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect STATUS CMD...: runs CMD, keeping stdout in ./out and stderr in ./err.
expect() {
  local want=$1 got=0
  shift
  "$@" >out 2>err || got=$?
  if [ "$got" != "$want" ]; then fail "exit $got, want $want: $* ($(cat err))"; fi
}
# expect_error STATUS CODE CMD...: as expect, and stderr is one line naming CODE.
expect_error() {
  local want=$1 code=$2
  shift 2
  expect "$want" "$@"
  if [ "$(wc -l <err)" != 1 ] || ! grep -q "^licensorctl: error: $code: " err; then
    fail "stderr of $* is not one $code line: $(cat err)"
  fi
}
contains() { grep -q -- "$2" "$1" || fail "$1 lacks '$2': $(cat "$1")"; }
field() { sed -n "s/^$1: //p" out; }
mode_of() { stat -c %a "$1"; }

# -- help and usage
for args in "--help" "keys --help" "keys init --help" "keys rotate --help" "keys revoke --help" \
            "keys list --help" "keys keyring --help" "keys sign --help" "keys verify --help"; do
  # shellcheck disable=SC2086
  expect 0 "$real" $args
  contains out "usage: licensorctl"
done
expect_error 2 bad_request "$real"
expect_error 2 bad_request "$real" keys frob
expect_error 2 bad_request "$real" keys init
expect_error 2 bad_request "$real" keys list --dir kd --bogus
expect_error 2 bad_request "$real" keys revoke --dir kd
expect_error 4 io_error "$real" keys list --dir missing

# -- the shipped binary wraps with the strong default cost
LICENSOR_PASSPHRASE=pw expect 0 "$real" keys init --dir strong
contains strong/root.secret "^k4.secret-pw\."
[ "$(mode_of strong/root.secret)" = 600 ] || fail "strong/root.secret mode $(mode_of strong/root.secret)"

# -- init
export LICENSOR_PASSPHRASE='correct horse'
expect 0 "$ctl" keys init --dir kd
kid1=$(field kid)
[ "$(field keyring_version)" = 1 ] || fail "init keyring_version: $(cat out)"
[ "$(field root_public_file)" = kd/root.public ] || fail "root_public_file: $(cat out)"
[ "$(field root_public)" = "$(cat kd/root.public)" ] || fail "root_public differs from the file"
[ "$(mode_of kd)" = 700 ] || fail "kd mode $(mode_of kd)"
for secret in kd/root.secret kd/signing/*.secret; do
  [ "$(mode_of "$secret")" = 600 ] || fail "$secret mode $(mode_of "$secret")"
  contains "$secret" "^k4.secret-pw\."
done
[ -f "kd/signing/$kid1.secret" ] || fail "no secret file for $kid1"
before=$(cat kd/root.secret)
expect_error 5 already_exists "$ctl" keys init --dir kd
[ "$(cat kd/root.secret)" = "$before" ] || fail "init without --force changed root.secret"

# -- passphrases
LICENSOR_PASSPHRASE=wrong expect_error 3 wrong_password "$ctl" keys rotate --dir kd
if command -v setsid >/dev/null; then  # no variable and no terminal: refuse, do not hang
  expect_error 2 bad_request env -u LICENSOR_PASSPHRASE setsid -w "$ctl" keys rotate --dir kd </dev/null
fi

# -- sign and verify
cat >claims.json <<'JSON'
{"iss":"licensor.test","sub":"lic-1","iat":"2026-01-01T00:00:00Z","nbf":"2026-01-01T00:00:00Z",
 "exp":"2027-01-01T00:00:00Z","product":"acme","tier":"pro","kind":"paid",
 "email":" Ann@Example.COM ","seats":3,"features":["export"]}
JSON
verify() {  # verify KEYRING TOKEN [more options]: as of mid-2026, unless --now says otherwise
  local keyring=$1 token=$2
  shift 2
  "$ctl" keys verify --root kd/root.public --keyring "$keyring" --token "$token" --product acme "$@"
}
now=(--now 2026-06-01T00:00:00Z)
LICENSOR_PASSPHRASE=wrong OTHER_PASS='correct horse' expect 0 "$ctl" keys sign --dir kd --claims claims.json --passphrase-env OTHER_PASS
cp out token1
contains token1 "^v4\.public\."
expect_error 3 wrong_password env LICENSOR_PASSPHRASE=wrong "$ctl" keys sign --dir kd --claims - <claims.json
echo '{"sub":1}' >bad.json
expect_error 10 malformed "$ctl" keys sign --dir kd --claims bad.json
expect 0 "$ctl" keys keyring --dir kd --out keyring1
contains keyring1 "^v4\.public\."
expect 0 verify keyring1 token1 "${now[@]}" --email ann@example.com
contains out "^status: valid$"
contains out "^kid: $kid1$"
contains out '"email":"ann@example.com"'
expect 0 verify keyring1 - "${now[@]}" --json <token1
contains out '"status": "valid"'
expect_error 16 wrong_product "$ctl" keys verify --root "$(cat kd/root.public)" --keyring keyring1 \
  --token token1 --product other --now 2026-06-01T00:00:00Z
expect_error 17 email_mismatch verify keyring1 token1 "${now[@]}" --email bob@example.com
expect_error 15 expired verify keyring1 token1 --now 2028-01-01T00:00:00Z
expect_error 2 bad_request verify keyring1 token1 --now yesterday

# -- rotate: the old token still verifies (retired key), new tokens use the new key
expect 0 "$ctl" keys rotate --dir kd
kid2=$(field kid)
[ -n "$kid2" ] && [ "$kid2" != "$kid1" ] || fail "rotate kid: $(cat out)"
[ "$(field keyring_version)" = 2 ] || fail "rotate keyring_version: $(cat out)"
expect 0 "$ctl" keys list --dir kd --json
contains out '"version": 2'
tr -d ' \n' <out >list.json
contains list.json "\"kid\":\"$kid1\",\"nbf\":\"[^\"]*\",\"revoked\":false,\"status\":\"retired\""
contains list.json "\"kid\":\"$kid2\",\"nbf\":\"[^\"]*\",\"revoked\":false,\"status\":\"active\""
expect 0 "$ctl" keys keyring --dir kd --out keyring2
expect 0 verify keyring2 token1 "${now[@]}"
contains out "^kid: $kid1$"
expect 0 "$ctl" keys sign --dir kd --claims claims.json
cp out token2
expect 0 verify keyring2 token2 "${now[@]}"
contains out "^kid: $kid2$"

# -- revoke: never the last active key; a revoked key's tokens are rejected
expect_error 6 no_active_key "$ctl" keys revoke --dir kd "$kid2"
expect_error 10 malformed "$ctl" keys revoke --dir kd not-a-kid
expect 0 "$ctl" keys revoke --dir kd "$kid1"
[ "$(field keyring_version)" = 3 ] || fail "revoke keyring_version: $(cat out)"
[ ! -e "kd/signing/$kid1.secret" ] || fail "the revoked key's secret is still there"
expect 0 "$ctl" keys list --dir kd
contains out "^$kid1  retired  nbf .*  REVOKED$"
expect 0 "$ctl" keys keyring --dir kd --json
contains out "\"version\": 3"
contains out "\"token\": \"v4.public."
expect 0 "$ctl" keys keyring --dir kd
cp out keyring3
expect_error 12 revoked_key verify keyring3 token1 "${now[@]}"
contains out "^status: revoked_key$"
expect 0 verify keyring3 token2 "${now[@]}"
contains out "^status: valid$"

# -- the keyring must be signed by the pinned root
expect 0 "$ctl" keys init --dir other --dev-unwrapped
expect_error 21 keyring_bad_signature "$ctl" keys verify --root other/root.public --keyring keyring3 \
  --token token2 --product acme --now 2026-06-01T00:00:00Z

# -- development mode: loud, unwrapped, and needs no passphrase
(
  unset LICENSOR_PASSPHRASE
  expect 0 "$ctl" keys init --dir dev --dev-unwrapped
  contains err "WARNING"
  contains err "UNENCRYPTED"
  contains dev/root.secret "^k4.secret\.[A-Za-z0-9_-]*$"
  [ "$(mode_of dev/root.secret)" = 600 ] || fail "dev/root.secret mode $(mode_of dev/root.secret)"
  expect 0 "$ctl" keys rotate --dir dev
  expect 0 "$ctl" keys sign --dir dev --claims claims.json
  [ "$failures" = 0 ] || exit 1
) || failures=$((failures + 1))

# -- --force replaces the root and removes the old signing keys
expect 0 "$ctl" keys init --dir kd --force
kid3=$(field kid)
[ "$(field keyring_version)" = 1 ] || fail "init --force keyring_version: $(cat out)"
[ "$(ls kd/signing)" = "$kid3.secret" ] || fail "signing keys after --force: $(ls kd/signing)"
expect_error 21 keyring_bad_signature verify keyring3 token2 "${now[@]}"

# -- atomic writes leave no temporary files
leftovers=$(find kd dev other strong -name '.*.tmp-*')
[ -z "$leftovers" ] || fail "temporary files left: $leftovers"

if [ "$failures" != 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "licensorctl end-to-end: all checks passed"
