#!/usr/bin/env bash
# Shared steps of the committed-WASM checks (pool/eaglesong/check.sh, pool/noise-wasm/check.sh).
# Source this file from the crate's directory.

WASM_CHECK_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool"

# wasm_check_cached NAME < <(inputs): reads everything the check depends on from stdin; returns 0 (and says
# so) when a check of exactly that input already passed on this machine, else sets WASM_CHECK_STAMP.
wasm_check_cached() {
  local key
  key=$(sha256sum | cut -c1-16)
  WASM_CHECK_STAMP="$WASM_CHECK_CACHE/$1-check-$key"
  if [ -f "$WASM_CHECK_STAMP" ]; then
    echo "$1: wasm reproducible and native tests passed (cached)"
    return 0
  fi
  return 1
}

# wasm_check_passed: records the success of the check started by wasm_check_cached.
wasm_check_passed() {
  mkdir -p "$WASM_CHECK_CACHE"
  touch "$WASM_CHECK_STAMP"
}

# wasm_reproducible NAME BUILD_SCRIPT COMMITTED OUT: builds into OUT and fails unless it is
# byte-identical to the committed module.
wasm_reproducible() {
  local name=$1 build=$2 committed=$3 out=$4
  "$build" "$out"
  if ! cmp -s "$out" "$committed"; then
    echo "$name: $committed differs from a fresh build with $(/usr/bin/rustc -V)." >&2
    echo "Rebuild it with $build and commit the result." >&2
    exit 1
  fi
  echo "$name: $committed matches a fresh build ($(/usr/bin/rustc -V))"
}

# wasm_native_tests OUT_DIR: the crate's unit tests, natively (cargo, or plain rustc without it).
wasm_native_tests() {
  if command -v cargo >/dev/null; then
    cargo test --release --quiet
  else
    /usr/bin/rustc --edition 2021 --test -C opt-level=3 src/lib.rs -o "$1/tests"
    "$1/tests" --quiet
  fi
}
