#!/usr/bin/env bash
# SV2 Noise WASM check: Debian's rustc 1.63 (+ cargo, + its wasm32 standard library, lld) and
# clang-14 (libsecp256k1's C, archived with llvm-ar-14) rebuild pool/noise-wasm (libsecp256k1 through
# the secp256k1 crate + RustCrypto chacha20poly1305) and compare it byte for byte with the committed
# pool/src/sv2/noise/noise.wasm (cached when unchanged). The crates come from crates.io, pinned by Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/apt.sh
apt_install rustc cargo libstd-rust-dev-wasm32 lld-14 clang-14 llvm-14
bash pool/noise-wasm/check.sh
