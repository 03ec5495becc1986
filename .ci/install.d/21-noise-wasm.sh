#!/usr/bin/env bash
# SV2 Noise ChaCha20-Poly1305 WASM check: Debian's rustc 1.63 with its wasm32 standard library
# rebuilds pool/noise-wasm and compares it byte for byte with the committed
# pool/src/sv2/noise/chacha20poly1305.wasm, then runs the crate's native tests (cached when unchanged).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/apt.sh
apt_install rustc libstd-rust-dev-wasm32
bash pool/noise-wasm/check.sh
