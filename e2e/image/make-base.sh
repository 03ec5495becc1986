#!/usr/bin/env bash
# Builds a local base image for the Dockerfile's BASE_IMAGE without any container registry:
# debootstrap a Debian bookworm minbase root, add this machine's Node 20 (node + npm), and
# import it into buildah's store as localhost/eaglepool-base:bookworm-node<version>.
# Prints the image name on stdout. Idempotent: reuses the image if it exists.
# Needs root, debootstrap and buildah (apt: debootstrap buildah).
set -euo pipefail

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
node_bin="$(readlink -f "$(command -v node)")"
node_version="$("$node_bin" --version | sed 's/^v//')"
case "$node_version" in 20.*|22.*) ;; *) echo "make-base: need Node 20 or 22 on this machine, found $node_version" >&2; exit 1 ;; esac
npm_dir="$(dirname "$node_bin")/../lib/node_modules/npm"
[ -f "$npm_dir/bin/npm-cli.js" ] || npm_dir="$(npm root -g)/npm"
image="localhost/eaglepool-base:bookworm-node${node_version}"

if buildah inspect --type image "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

cache="${EAGLEPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool}/base-image"
mkdir -p "$cache"
rootfs="$cache/rootfs-bookworm"
if [ ! -x "$rootfs/usr/bin/apt-get" ] || [ ! -f "$rootfs/.debootstrap-done" ]; then
  rm -rf "$rootfs"
  echo "make-base: debootstrap bookworm minbase from $mirror" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >&2
  touch "$rootfs/.debootstrap-done"
fi

# Node from this machine (same glibc: both are bookworm); npm as its JS tree.
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
rm -rf "$rootfs/usr/local/lib/node_modules/npm"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# Trust what this machine trusts (its package registries may sit behind a TLS-intercepting proxy).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca_bundle" ]; then
  install -D -m 0644 "$ca_bundle" "$rootfs$ca_bundle"
fi
# Keep the image small: apt lists, docs, locales are not needed at runtime.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/cache/apt/*.bin

tarball="$cache/rootfs-bookworm-node${node_version}.tar"
tar --numeric-owner -C "$rootfs" --exclude=./.debootstrap-done -cf "$tarball" .
ctr="$(buildah from scratch)"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah add "$ctr" "$tarball" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/bash "$ctr"
[ -f "$ca_bundle" ] && buildah config --env NODE_EXTRA_CA_CERTS="$ca_bundle" --env NPM_CONFIG_CAFILE="$ca_bundle" "$ctr"
buildah commit --quiet "$ctr" "$image" >/dev/null
rm -f "$tarball"
echo "$image"
