#!/usr/bin/env bash
# CI check for the noise-wasm crates (run by .ci/install.d/21-noise-wasm.sh):
#  1. rebuilds both WASM modules with Debian's rustc 1.63 (build.sh, secp/build.sh) and fails if
#     either differs byte for byte from the committed pool/src/sv2/noise/chacha20poly1305.wasm
#     and pool/src/sv2/noise/secp256k1.wasm;
#  2. runs both crates' native unit tests (chacha: cargo test, or plain rustc --test without
#     cargo; secp: secp/build.sh --test, Debian's cargo offline on the locked crates).
# Skipped when the sources, the committed .wasm and the compilers are unchanged since the
# last successful run on this machine.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR
source ../../.ci/lib/wasm-check.sh
committed=../src/sv2/noise/chacha20poly1305.wasm
committed_secp=../src/sv2/noise/secp256k1.wasm
wasm_check_cached noise-wasm < <(
  cat Cargo.toml build.sh check.sh ../../.ci/lib/wasm-check.sh src/*.rs "$committed"
  cat secp/Cargo.toml secp/Cargo.lock secp/build.sh secp/src/*.rs "$committed_secp"
  /usr/bin/rustc -V
  /usr/bin/cargo -V
  command -v cargo >/dev/null && cargo -V
) && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm_reproducible noise-wasm ./build.sh "$committed" "$tmp/chacha20poly1305.wasm"
wasm_reproducible noise-wasm ./secp/build.sh "$committed_secp" "$tmp/secp256k1.wasm"
wasm_native_tests "$tmp"
./secp/build.sh --test
wasm_check_passed
