#!/usr/bin/env bash
# SV2 Noise WASM check: Debian's rustc 1.63 (+ cargo, + its wasm32 standard library) rebuilds
# pool/noise-wasm (ChaCha20-Poly1305) and pool/noise-wasm/secp (k256: ECDH, field square root),
# compares both byte for byte with the committed pool/src/sv2/noise/*.wasm, then runs the crates'
# native tests (cached when unchanged). The secp crates come from crates.io, pinned by Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/apt.sh
apt_install rustc cargo libstd-rust-dev-wasm32 lld-14
bash pool/noise-wasm/check.sh
