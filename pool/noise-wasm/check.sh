#!/usr/bin/env bash
# CI check for pool/noise-wasm (run by .ci/install.d/21-noise-wasm.sh): rebuilds the module with
# Debian's rustc 1.63 and clang-14 (build.sh) and fails unless it is byte-identical to the
# committed pool/src/sv2/noise/noise.wasm. The crate is glue around libsecp256k1 and RustCrypto's
# chacha20poly1305; its behaviour is tested in TypeScript against the built module (RFC 8439,
# BIP-324 vectors, @noble/curves, node:crypto, SRI's captured handshakes). Skipped when the
# sources, the committed .wasm and the compilers are unchanged since the last successful run.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR
source ../../.ci/lib/wasm-check.sh
committed=../src/sv2/noise/noise.wasm
wasm_check_cached noise-wasm < <(
  cat Cargo.toml Cargo.lock build.sh check.sh ../../.ci/lib/wasm-check.sh src/*.rs "$committed"
  /usr/bin/rustc -V
  /usr/bin/cargo -V
  clang-14 --version
) && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm_reproducible noise-wasm ./build.sh "$committed" "$tmp/noise.wasm"
wasm_check_passed
