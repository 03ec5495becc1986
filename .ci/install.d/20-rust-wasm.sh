#!/usr/bin/env bash
# Eaglesong WASM toolchain and check.
# Debian's rustc 1.63 with its wasm32 standard library builds pool/eaglesong to
# wasm32-unknown-unknown (rustup here has no wasm32 target). The built .wasm is committed;
# pool/eaglesong/check.sh rebuilds it and fails if the result differs byte for byte, then
# runs the crate's native unit tests. The check is skipped when nothing it depends on changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/apt.sh
# lld-14 provides /usr/bin/rust-lld, the wasm linker Debian's rustc calls.
apt_install rustc libstd-rust-dev-wasm32 lld-14
bash pool/eaglesong/check.sh
