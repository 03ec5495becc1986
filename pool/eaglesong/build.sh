#!/usr/bin/env bash
# Canonical build of the committed pool/src/eaglesong/eaglesong.wasm with Debian's rustc 1.63
# (packages rustc + libstd-rust-dev-wasm32). Usage: build.sh [OUT.wasm]
# RUSTC overrides the compiler (default /usr/bin/rustc, not rustup's).
# simd128 is for the hand-written 4-lane search kernel (src/simd.rs); LLVM's own
# auto-vectorisation is switched off because it makes the scalar permutation 2x slower in V8.
# Keep the flags in sync with .cargo/config.toml (the rustup/cargo build).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-../src/eaglesong/eaglesong.wasm}"
"${RUSTC:-/usr/bin/rustc}" --edition 2021 --crate-name eaglesong --crate-type cdylib \
  --target wasm32-unknown-unknown \
  -C opt-level=3 -C lto=fat -C codegen-units=1 -C panic=abort -C strip=symbols \
  -C target-feature=+simd128 -C no-vectorize-slp -C no-vectorize-loops \
  src/lib.rs -o "$out"
