#!/usr/bin/env bash
# Opt-in (slow, not part of `npm test`): builds the Eaglepool image with buildah (no Docker
# engine, no registry) on a local base image, then proves it starts: `eaglepool --help` and
# `eaglepool operator crd` inside the container, with a read-only root filesystem check.
#   bash e2e/image/build.sh [TAG]      (default tag: localhost/eaglepool:dev; builds git HEAD)
# Optional: EAGLEPOOL_IMAGE_ARCHIVE=path.tar also writes a docker-archive (for `kind load image-archive`).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=/dev/null
source .ci/lib/apt.sh
apt_install buildah debootstrap uidmap

tag="${1:-localhost/eaglepool:dev}"
base="$(bash e2e/image/make-base.sh)"
echo "build: base image $base" >&2

# Build the committed tree (HEAD), not the working tree with whatever is half-edited in it.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
git archive HEAD | tar -x -C "$context"
start=$(date +%s)
buildah bud --isolation chroot --layers=false --build-arg "BASE_IMAGE=$base" -t "$tag" -f "$context/Dockerfile" "$context" >&2
echo "build: built $tag in $(( $(date +%s) - start ))s" >&2

echo "build: eaglepool --help in the container" >&2
ctr="$(buildah from "$tag")"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$context"' EXIT
help="$(buildah run --isolation chroot "$ctr" -- node /app/dist/pool/src/cli/main.js --help)"
echo "$help"
grep -q 'operator run' <<<"$help" || { echo "build: --help does not list 'operator run'" >&2; exit 1; }
buildah run --isolation chroot --user 10001:10001 "$ctr" -- node /app/dist/pool/src/cli/main.js operator crd | grep -q 'kind: CustomResourceDefinition' \
  || { echo "build: 'operator crd' failed in the container" >&2; exit 1; }
# Nothing under /app or / is writable by the runtime user: read-only root filesystems are fine.
if buildah run --isolation chroot --user 10001:10001 "$ctr" -- sh -c 'touch /app/x 2>/dev/null || touch /x 2>/dev/null'; then
  echo "build: runtime user can write the image filesystem" >&2
  exit 1
fi
echo "build: image size $(buildah images --format '{{.Size}}' "$tag")" >&2
if [ -n "${EAGLEPOOL_IMAGE_ARCHIVE:-}" ]; then
  buildah push "$tag" "docker-archive:${EAGLEPOOL_IMAGE_ARCHIVE}:${tag#localhost/}" >&2
  echo "build: wrote $EAGLEPOOL_IMAGE_ARCHIVE" >&2
fi
echo "build: OK $tag" >&2
