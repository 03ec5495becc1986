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
committed=../src/sv2/noise/chacha20poly1305.wasm
committed_secp=../src/sv2/noise/secp256k1.wasm
cache="${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool"
key=$({
  cat Cargo.toml build.sh check.sh src/*.rs "$committed"
  cat secp/Cargo.toml secp/Cargo.lock secp/build.sh secp/src/*.rs "$committed_secp"
  /usr/bin/rustc -V
  /usr/bin/cargo -V
  command -v cargo >/dev/null && cargo -V
} | sha256sum | cut -c1-16)
stamp="$cache/noise-wasm-check-$key"
if [ -f "$stamp" ]; then
  echo "noise-wasm: wasm reproducible and native tests passed (cached)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./build.sh "$tmp/chacha20poly1305.wasm"
if ! cmp -s "$tmp/chacha20poly1305.wasm" "$committed"; then
  echo "noise-wasm: $committed differs from a fresh build with $(/usr/bin/rustc -V)." >&2
  echo "Rebuild it with pool/noise-wasm/build.sh and commit the result." >&2
  exit 1
fi
./secp/build.sh "$tmp/secp256k1.wasm"
if ! cmp -s "$tmp/secp256k1.wasm" "$committed_secp"; then
  echo "noise-wasm: $committed_secp differs from a fresh build with $(/usr/bin/rustc -V)." >&2
  echo "Rebuild it with pool/noise-wasm/secp/build.sh and commit the result." >&2
  exit 1
fi
echo "noise-wasm: committed wasm modules match a fresh build ($(/usr/bin/rustc -V))"

if command -v cargo >/dev/null; then
  cargo test --release --quiet
else
  /usr/bin/rustc --edition 2021 --test -C opt-level=3 src/lib.rs -o "$tmp/tests"
  "$tmp/tests" --quiet
fi
./secp/build.sh --test

mkdir -p "$cache"
touch "$stamp"
