#!/usr/bin/env bash
# CI check for the Eaglesong crate (run by .ci/install.d/20-rust-wasm.sh):
#  1. rebuilds the WASM with Debian's rustc 1.63 (build.sh) and fails if it differs byte for
#     byte from the committed pool/src/eaglesong/eaglesong.wasm;
#  2. runs the crate's native unit tests (cargo test, or plain rustc --test without cargo).
# Skipped when the sources, the committed .wasm and the compilers are unchanged since the
# last successful run on this machine.
set -euo pipefail
cd "$(dirname "$0")"
committed=../src/eaglesong/eaglesong.wasm
cache="${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool"
key=$({
  cat Cargo.toml build.sh check.sh src/*.rs ../src/eaglesong/vectors.txt "$committed"
  /usr/bin/rustc -V
  command -v cargo >/dev/null && cargo -V
} | sha256sum | cut -c1-16)
stamp="$cache/eaglesong-check-$key"
if [ -f "$stamp" ]; then
  echo "eaglesong: wasm reproducible and native tests passed (cached)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./build.sh "$tmp/eaglesong.wasm"
if ! cmp -s "$tmp/eaglesong.wasm" "$committed"; then
  echo "eaglesong: pool/src/eaglesong/eaglesong.wasm differs from a fresh build with $(/usr/bin/rustc -V)." >&2
  echo "Rebuild it with pool/eaglesong/build.sh and commit the result." >&2
  exit 1
fi
echo "eaglesong: committed wasm matches a fresh build ($(/usr/bin/rustc -V))"

if command -v cargo >/dev/null; then
  cargo test --release --quiet
else
  /usr/bin/rustc --edition 2021 --test -C opt-level=3 src/lib.rs -o "$tmp/tests"
  "$tmp/tests" --quiet
fi

mkdir -p "$cache"
touch "$stamp"
