#!/usr/bin/env bash
# Installs the verifier package into a temporary prefix, builds examples/verifier_app against
# it (C and C++ apps; shared library, static archive, and plain pkg-config), and runs them on
# generated tokens.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR FIXTURE_GEN
set -euo pipefail
build_dir=$1 source_dir=$2 fixture_gen=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

for component in licensor_verify_runtime licensor_verify; do
  cmake --install "$build_dir" --prefix "$prefix" --component $component >/dev/null
done
"$fixture_gen" "$work"

# Nothing but the verifier's own public API may be exported from the shared library.
so=$(find "$prefix" -name 'liblicensor_verify.so' | head -n1)
if nm -D --defined-only "$so" | awk '{print $3}' | grep -v -E '^(lv_|_ZNK?8licensor)' ; then
  echo "FAIL: unexpected exported symbols above" >&2
  exit 1
fi

expect() {  # expect EXIT_CODE OUTPUT_PATTERN COMMAND...
  local want=$1 pattern=$2 got=0 output
  shift 2
  output=$("$@" 2>&1) || got=$?
  if [[ $got -ne $want ]] || ! grep -q -- "$pattern" <<<"$output"; then
    echo "FAIL: $* -> exit $got (want $want), output:" >&2
    echo "$output" >&2
    exit 1
  fi
}

run_app() {  # run_app APP
  local app=$1 state=$work/state.$RANDOM
  expect 0 "license: valid" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" acme-editor " ANN@example.com " "$state"
  expect 0 "feature  sync" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" acme-editor "" "$state"
  # The state file now remembers keyring version 2: version 1 is a rollback.
  expect 1 "keyring: keyring_rollback" "$app" "$work/root.k4public" "$work/keyring_v1.token" \
    "$work/license.token" acme-editor "" "$state"
  expect 1 "license: wrong_product" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" other-product
  expect 1 "license: email_mismatch" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" acme-editor bob@example.com
  expect 1 "license: expired" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license_expired.token" acme-editor
  expect 1 "license: unknown_key" "$app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license_unknown_key.token" acme-editor
  expect 1 "keyring: keyring_bad_signature" "$app" "$work/root.k4public" "$work/license.token" \
    "$work/license.token" acme-editor
}

for flavour in OFF ON; do
  cmake -S "$source_dir/examples/verifier_app" -B "$work/app-$flavour" \
    -DCMAKE_PREFIX_PATH="$prefix" -DVERIFIER_APP_STATIC=$flavour >/dev/null
  cmake --build "$work/app-$flavour" >/dev/null
  run_app "$work/app-$flavour/verifier_app"
  cpp_app=$work/app-$flavour/verifier_app_cpp
  expect 0 "license: valid" "$cpp_app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" acme-editor
  expect 1 "license: wrong_product" "$cpp_app" "$work/root.k4public" "$work/keyring_v2.token" \
    "$work/license.token" other-product
done
# The static build must not depend on the shared library.
if ldd "$work/app-ON/verifier_app" | grep -q licensor_verify; then
  echo "FAIL: the static example links liblicensor_verify.so" >&2
  exit 1
fi

pc_dir=$(dirname "$(find "$prefix" -name licensor_verify.pc | head -n1)")
libdir=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir licensor_verify)
# shellcheck disable=SC2046  # pkg-config output is meant to be word-split
cc -std=c11 -o "$work/app-pc" "$source_dir/examples/verifier_app/main.c" \
  $(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs licensor_verify) -Wl,-rpath,"$libdir"
run_app "$work/app-pc"

echo "install test passed"
