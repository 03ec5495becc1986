#!/usr/bin/env bash
# Canonical build of the committed pool/src/sv2/noise/chacha20poly1305.wasm with Debian's rustc
# 1.63 (packages rustc + libstd-rust-dev-wasm32). Usage: build.sh [OUT.wasm]
# RUSTC overrides the compiler (default /usr/bin/rustc, not rustup's).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-../src/sv2/noise/chacha20poly1305.wasm}"
"${RUSTC:-/usr/bin/rustc}" --edition 2021 --crate-name noise_wasm --crate-type cdylib \
  --target wasm32-unknown-unknown \
  -C opt-level=3 -C lto=fat -C codegen-units=1 -C panic=abort -C strip=symbols \
  src/lib.rs -o "$out"
