#!/usr/bin/env bash
# Builds, without any registry, every image the cluster tier's pods run, each once (cached in buildah's
# store and as a docker-archive under ${EAGLEPOOL_CACHE:-~/.cache/eaglepool}/images/), and prints a JSON
# manifest {name: {image, archive}} that e2e/infra/harness/cluster.ts imports into the node's containerd:
#   pause   kubernetes' pause.c (built by `e2e/infra/install.sh cluster`) on scratch: the sandbox image
#   pool    the Dockerfile (e2e/image/build.sh), tagged by the hash of the sources it is built from
#   ckb     the pool image plus e2e/image/cluster/ckb: the project's devnet behind ckb's commands and ports
#   redis   Debian's redis-server on the debootstrap base, the official image's argument convention
#   kafka   the Maven Central jars (e2e/infra/install.sh kafka) + Debian's JRE, apache/kafka's env convention
#   bash e2e/image/cluster-images.sh [NAME...]   (default: all five)
# Needs root, buildah, debootstrap (bash e2e/infra/install.sh cluster installs them).
set -euo pipefail
self=$(realpath "$0")
cd "$(dirname "$0")/../.."
# shellcheck source=../infra/versions.env
source e2e/infra/versions.env

CACHE=${EAGLEPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool}
images="$CACHE/images"
mkdir -p "$images"
exec 7>"$images/.lock"
flock 7

log() { echo "images: $*" >&2; }
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }
# key FILE...: a short content hash (image tags change whenever what they are built from changes).
key() { cat "$@" | sha256sum | cut -c1-12; }
ctr=""
trap '[ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
# commit IMAGE: commits the working container $ctr as IMAGE.
commit() {
  buildah commit --quiet "$ctr" "$1" >/dev/null
  buildah rm "$ctr" >/dev/null
  ctr=""
}
# A docker-archive of IMAGE in the cache (what `ctr image import` loads), written once per tag.
archive() {
  local file
  file="$images/$(echo "${1#localhost/}" | tr '/:' '__').tar"
  if [ ! -f "$file" ]; then
    rm -f "$file.tmp"
    buildah push --quiet "$1" "docker-archive:$file.tmp:$1" >/dev/null
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}
apt_in() { buildah run --isolation chroot "$ctr" -- sh -c "apt-get -o APT::Sandbox::User=root update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq --no-install-recommends $* >/dev/null && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*"; }

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(pause pool ckb redis kafka)
wants() { [[ " ${names[*]} " == *" $1 "* ]]; }
started=$(date +%s)
base=$(bash e2e/image/make-base.sh)

pause_bin="$CACHE/kubernetes-$KUBERNETES_VERSION/pause"
pause="localhost/eaglepool-pause:v$KUBERNETES_VERSION"
if wants pause && ! have "$pause"; then
  [ -x "$pause_bin" ] || { echo "images: $pause_bin is missing; run bash e2e/infra/install.sh cluster" >&2; exit 1; }
  log "building $pause"
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$pause_bin" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  commit "$pause"
fi

src_key=$(git ls-tree -r HEAD -- Dockerfile package.json package-lock.json tsconfig.json tsconfig.build.json proto pool operator | sha256sum | cut -c1-12)
pool="localhost/eaglepool:src-$src_key"
if { wants pool || wants ckb; } && ! have "$pool"; then
  log "building $pool (git HEAD)"
  bash e2e/image/build.sh "$pool" >/dev/null
fi

ckb="localhost/eaglepool-ckb-devnet:src-$src_key-$(key e2e/image/cluster/ckb)"
if wants ckb && ! have "$ckb"; then
  log "building $ckb"
  ctr=$(buildah from "$pool")
  buildah copy --quiet --chmod 0755 "$ctr" e2e/image/cluster/ckb /usr/bin/ckb >/dev/null
  buildah config --entrypoint '["/usr/bin/ckb"]' --cmd '["run","-C","/var/lib/ckb"]' "$ctr"
  commit "$ckb"
fi

base_key=$(echo "$base" | sha256sum | cut -c1-6)
redis="localhost/eaglepool-redis:bookworm-$base_key-$(key e2e/image/cluster/redis-entrypoint.sh "$self")"
if wants redis && ! have "$redis"; then
  log "building $redis (Debian's redis-server)"
  ctr=$(buildah from "$base")
  apt_in redis-server
  buildah copy --quiet --chmod 0755 "$ctr" e2e/image/cluster/redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh >/dev/null
  # Debian's package leaves /etc/redis 0750 for its own redis user; the official image runs as UID 999
  # with mounts under /etc/redis (the operator's ACL file), so any UID must be able to traverse it.
  buildah run --isolation chroot "$ctr" -- sh -c 'mkdir -p /data && chmod 0777 /data && chmod 0755 /etc/redis'
  buildah config --workingdir /data --user 999:999 --port 6379 \
    --entrypoint '["/usr/local/bin/docker-entrypoint.sh"]' --cmd '["redis-server"]' "$ctr"
  commit "$redis"
fi

kafka_libs="$CACHE/kafka-$KAFKA_VERSION/lib"
kafka="localhost/eaglepool-kafka:$KAFKA_VERSION-$base_key-$(key e2e/image/cluster/kafka-entrypoint.sh "$self")"
if wants kafka && ! have "$kafka"; then
  [ -f "$CACHE/kafka-$KAFKA_VERSION/.complete" ] || { echo "images: $kafka_libs is missing; run bash e2e/infra/install.sh kafka" >&2; exit 1; }
  log "building $kafka (Maven Central jars, Debian's JRE)"
  ctr=$(buildah from "$base")
  apt_in openjdk-17-jre-headless
  buildah copy --quiet "$ctr" "$kafka_libs" /opt/kafka/libs >/dev/null
  buildah copy --quiet --chmod 0755 "$ctr" e2e/image/cluster/kafka-entrypoint.sh /usr/local/bin/kafka-entrypoint.sh >/dev/null
  buildah run --isolation chroot "$ctr" -- sh -c 'mkdir -p /var/lib/kafka/data && chmod 0777 /var/lib/kafka/data'
  buildah config --user 1000:1000 --port 9092 --entrypoint '["/usr/local/bin/kafka-entrypoint.sh"]' --cmd '' "$ctr"
  commit "$kafka"
fi

entries=()
for name in "${names[@]}"; do
  image=${!name}
  entries+=("\"$name\": {\"image\": \"$image\", \"archive\": \"$(archive "$image")\"}")
done
log "ready in $(($(date +%s) - started))s"
(IFS=,; echo "{${entries[*]}}")
