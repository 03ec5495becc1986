#!/usr/bin/env bash
# Canonical build of the committed pool/src/sv2/noise/secp256k1.wasm with Debian's rustc 1.63
# (packages rustc, cargo, libstd-rust-dev-wasm32) from the crates pinned in Cargo.lock.
# Usage: build.sh [OUT.wasm]   |   build.sh --test   (the crate's native unit tests, optimized and
# as a debug build, whose k256 field elements check their magnitude bounds on every operation)
#
# Debian's cargo 1.65 only knows crates.io's git index (not reachable here) and rustup's newer
# cargo cannot drive rustc 1.63, so rustup's cargo downloads the locked crates once
# (`cargo vendor`, checksums from Cargo.lock, cached per lock file) and Debian's cargo builds
# offline from that copy. Paths are remapped so the output does not depend on where it is built.
# The module uses WebAssembly SIMD (simd128, in every Node since 16.4): measured ~8 % less CPU for
# the point multiplications (LLVM vectorises the constant-time table scans and some limb work).
set -euo pipefail
cd "$(dirname "$0")"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool"
vendor="$cache/noise-secp-wasm-vendor-$(sha256sum Cargo.lock | cut -c1-16)"
fetch_cargo="${FETCH_CARGO:-$(command -v "$HOME/.cargo/bin/cargo" || command -v cargo)}"
if [ ! -d "$vendor" ]; then
  rm -rf "$vendor.tmp"
  "$fetch_cargo" vendor --quiet --locked --versioned-dirs "$vendor.tmp" >/dev/null
  mv "$vendor.tmp" "$vendor"
fi
target="$cache/noise-secp-wasm-target"
offline_cargo() {
  RUSTC="${RUSTC:-/usr/bin/rustc}" \
    RUSTFLAGS="--remap-path-prefix=$vendor=/vendor --remap-path-prefix=$PWD=/noise-secp-wasm -C strip=symbols ${EXTRA_RUSTFLAGS:-}" \
    /usr/bin/cargo "$@" --quiet --offline --locked --target-dir "$target" \
    --config "source.crates-io.replace-with=\"vendored\"" --config "source.vendored.directory=\"$vendor\""
}
if [ "${1:-}" = "--test" ]; then
  offline_cargo test --release
  offline_cargo test
  exit 0
fi
out="$(realpath -m "${1:-../../src/sv2/noise/secp256k1.wasm}")"
EXTRA_RUSTFLAGS="-C target-feature=+simd128" offline_cargo build --release --lib --target wasm32-unknown-unknown
cp "$target/wasm32-unknown-unknown/release/noise_secp_wasm.wasm" "$out"
