#!/usr/bin/env bash
# The API description against a real licensord in a temporary data dir:
#  1. the document the server serves at /v1/openapi.json is server/openapi.json, and redocly's
#     recommended rules (redocly.yaml) report no error and no warning on it;
#  2. examples/api_client generates its TypeScript types from the served document
#     (openapi-typescript), compiles strictly (tsc) and, as operator then partner, issues a
#     license and validates its token.
# Needs Node.js 18 or later and npm (Debian's nodejs and npm are installed when node is missing)
# and the npm registry: the pinned packages are installed once per run into a scratch folder,
# with a scratch npm cache, so a run depends on nothing a previous one left.
# usage: api_client_test.sh LICENSORD SOURCE_DIR
set -euo pipefail
licensord=$1
root=$2
# The last 1.x: 2.x needs Node 20.19, and Debian 12 ships Node 18.
redocly_cli=@redocly/cli@1.34.20

step_started=$SECONDS
step() {
  echo "api_client: $1 ($((SECONDS - step_started)) s so far)"
}

fail() {
  echo "api_client: $1" >&2
  exit 1
}
# shellcheck source=../node_support.sh
. "$root/tests/node_support.sh"
# shellcheck source=../licensord_support.sh
. "$root/tests/licensord_support.sh"
name=api_client
node_ensure

licensord_scratch

example=$scratch/api_client
mkdir -p "$example"
cp "$root/examples/api_client/package.json" "$root/examples/api_client/tsconfig.json" "$example/"
cp -r "$root/examples/api_client/src" "$example/src"
rm -f "$example/src/licensor_api.d.ts"

# Redocly's update notice and usage reports would reach past the registry: both off.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
npm_install "$example" "$scratch" "$redocly_cli"

step "starting licensord"
export LICENSOR_OPERATOR_TOKEN
LICENSOR_OPERATOR_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
licensord_start 127.0.0.1:0 1 || exit 1

step "linting the served document at $url/v1/openapi.json"
curl --silent --show-error --fail --cacert "$cert" "$url/v1/openapi.json" -o "$scratch/openapi.json"
if ! cmp -s "$scratch/openapi.json" "$root/server/openapi.json"; then
  echo "api_client: licensord serves another document than server/openapi.json: rebuild it" >&2
  exit 1
fi
redocly=("$example/node_modules/.bin/redocly" lint --config "$root/redocly.yaml")
(cd "$example" && "${redocly[@]}" --format=json "$scratch/openapi.json" >"$scratch/lint.json" 2>"$scratch/lint.err") || true
counts=$(node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(report.totals.errors, report.totals.warnings);' "$scratch/lint.json") || {
  cat "$scratch/lint.err" >&2
  exit 1
}
read -r errors warnings <<<"$counts"
echo "api_client: redocly lint (recommended): $errors errors, $warnings warnings"
if [ "$errors" != 0 ] || [ "$warnings" != 0 ]; then
  (cd "$example" && "${redocly[@]}" --format=stylish "$scratch/openapi.json") >&2 || true
  exit 1
fi

step "generating the client's types from the served document"
(cd "$example" && npm run --silent generate >"$scratch/generate.log" 2>&1) || {
  cat "$scratch/generate.log" >&2
  exit 1
}
step "compiling the example (tsc, strict)"
(cd "$example" && npm run --silent build)
step "running the example"
(cd "$example" && npm start --silent) | tee "$scratch/example.out"
grep -q '"valid": true' "$scratch/example.out"

licensord_stop
step "done"
