#!/usr/bin/env bash
# CI check for the Eaglesong crate (run by .ci/install.d/20-rust-wasm.sh):
#  1. rebuilds the WASM with Debian's rustc 1.63 (build.sh) and fails if it differs byte for
#     byte from the committed pool/src/eaglesong/eaglesong.wasm;
#  2. runs the crate's native unit tests (cargo test, or plain rustc --test without cargo).
# Skipped when the sources, the committed .wasm and the compilers are unchanged since the
# last successful run on this machine.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR
source ../../.ci/lib/wasm-check.sh
committed=../src/eaglesong/eaglesong.wasm
wasm_check_cached eaglesong < <(
  cat Cargo.toml build.sh check.sh ../../.ci/lib/wasm-check.sh src/*.rs ../src/eaglesong/vectors.txt "$committed"
  /usr/bin/rustc -V
  command -v cargo >/dev/null && cargo -V
) && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm_reproducible eaglesong ./build.sh "$committed" "$tmp/eaglesong.wasm"
wasm_native_tests "$tmp"
wasm_check_passed
