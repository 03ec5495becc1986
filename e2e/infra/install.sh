#!/usr/bin/env bash
# Installs every real dependency of the integration tests, building each once and caching it
# outside the clone under ${EAGLEPOOL_CACHE:-~/.cache/eaglepool}/<name>-<version>/ (a second run
# only checks the caches):
#   bash e2e/infra/install.sh                 # everything
#   bash e2e/infra/install.sh redis kafka     # a subset: redis kafka etcd kube-apiserver helm ckb
# `ckb` (the real CKB node, `cargo install ckb` from crates.io: the largest build by far, see
# docs/infrastructure.md) is opt-in: it is built only when named.
#   bash e2e/infra/install.sh cluster         # the single-node cluster tier (opt-in too):
#                                             # Debian's containerd/runc/CNI/iptables/buildah, kubelet,
#                                             # controller-manager, scheduler, kube-proxy, kubectl, CoreDNS,
#                                             # the pause binary; images: bash e2e/image/cluster-images.sh
# Versions come from e2e/infra/versions.env. Go builds use GOMODCACHE/GOCACHE under the same
# cache root, so a rebuild after a version bump only compiles what changed.
set -euo pipefail

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$INFRA_DIR/../.." && pwd)
# shellcheck source=versions.env
source "$INFRA_DIR/versions.env"
# shellcheck source=../../.ci/lib/apt.sh
source "$REPO_DIR/.ci/lib/apt.sh"

CACHE=${EAGLEPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eaglepool}
mkdir -p "$CACHE"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS=-trimpath

log() { echo "infra: $*"; }
die() {
  echo "infra: ERROR: $*" >&2
  exit 1
}

# One installer at a time per cache (CI steps, vitest auto-install and a developer may overlap).
exec 8>"$CACHE/.install.lock"
flock 8

is_cached() { [ -f "$CACHE/$1-$2/.complete" ]; }

# Builds into a private staging directory and moves it into place only when complete, so an
# interrupted build never leaves a half-filled cache entry behind.
new_stage() {
  local dir="$CACHE/.staging/$1-$2.$$"
  rm -rf "$dir" && mkdir -p "$dir" && echo "$dir"
}
publish() {
  local stage=$1 name=$2 version=$3
  touch "$stage/.complete"
  rm -rf "${CACHE:?}/$name-$version"
  mv "$stage" "$CACHE/$name-$version"
}

require_go() {
  command -v go >/dev/null || die "go is not on PATH (Go >= 1.26 is needed to build kube-apiserver, etcd and helm)"
  local v
  v=$(go env GOVERSION)
  case "$v" in
    go1.2[6-9]* | go1.[3-9][0-9]*) ;;
    *) die "Go >= 1.26 is needed, found $v" ;;
  esac
}

# go_module_version DIR MODULE: the version of MODULE required by DIR/go.mod.
go_module_version() {
  sed -n -E "s|^(require )?[[:space:]]*$2 (v[^ ]*).*|\2|p" "$1/go.mod" | head -n1
}

install_redis() {
  apt_install redis-server
  command -v redis-server >/dev/null || die "redis-server is missing after apt install"
  log "redis: $(redis-server --version | cut -d' ' -f3)"
}

install_kafka() {
  local name=kafka version=$KAFKA_VERSION
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  if ! is_cached "$name" "$version"; then
    command -v mvn >/dev/null || apt_install maven
    local stage
    stage=$(new_stage "$name" "$version")
    log "kafka: resolving kafka_2.13 $version and its runtime dependencies from Maven Central"
    if ! mvn -B -q -f "$INFRA_DIR/kafka/pom.xml" -Dmaven.repo.local="$CACHE/m2" -Dkafka.version="$version" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$stage/lib" >"$stage/mvn.log" 2>&1; then
      tail -n 40 "$stage/mvn.log" >&2
      die "kafka: mvn dependency:copy-dependencies failed (output above)"
    fi
    rm -f "$stage/mvn.log"
    ls "$stage/lib/kafka_2.13-$version.jar" >/dev/null || die "kafka: kafka_2.13-$version.jar was not resolved"
    publish "$stage" "$name" "$version"
  fi
  log "kafka: $version ($(ls "$CACHE/$name-$version/lib" | wc -l) jars)"
}

install_etcd() {
  local name=etcd version=$ETCD_VERSION
  [ "$(go_module_version "$INFRA_DIR/etcd" go.etcd.io/etcd/server/v3)" = "v$version" ] ||
    die "etcd: versions.env says $version but e2e/infra/etcd/go.mod pins another server version"
  if ! is_cached "$name" "$version"; then
    require_go
    local stage
    stage=$(new_stage "$name" "$version")
    log "etcd: building go.etcd.io/etcd/server/v3@v$version"
    (cd "$INFRA_DIR/etcd" && go build -mod=readonly -ldflags "-s -w" -o "$stage/etcd" go.etcd.io/etcd/server/v3)
    publish "$stage" "$name" "$version"
  fi
  log "etcd: $("$CACHE/$name-$version/etcd" --version | head -n1)"
}

install_kube_apiserver() {
  local name=kube-apiserver version=$KUBERNETES_VERSION
  [ "$(go_module_version "$INFRA_DIR/k8s" k8s.io/kubernetes)" = "v$version" ] ||
    die "kube-apiserver: versions.env says $version but e2e/infra/k8s/go.mod differs (run: bash e2e/infra/k8s/gen-gomod.sh $version)"
  if ! is_cached "$name" "$version"; then
    require_go
    local stage minor
    stage=$(new_stage "$name" "$version")
    minor=$(echo "$version" | cut -d. -f2)
    log "kube-apiserver: building k8s.io/kubernetes/cmd/kube-apiserver@v$version (slow the first time: ~2-3k packages)"
    # Without the -X flags the binary reports v0.0.0-master, which breaks semver checks (kubeVersion).
    (cd "$INFRA_DIR/k8s" && go build -mod=readonly -o "$stage/kube-apiserver" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
      k8s.io/kubernetes/cmd/kube-apiserver)
    publish "$stage" "$name" "$version"
  fi
  log "kube-apiserver: $("$CACHE/$name-$version/kube-apiserver" --version)"
}

# cargo >= the ckb crate's rust-version (1.95 for 0.210.0): rustup's, not Debian's rustc 1.63.
require_cargo() {
  local v
  PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null || die "cargo is not on PATH (rustup's cargo >= 1.95 is needed to build ckb)"
  v=$(cargo --version | cut -d' ' -f2)
  case "$v" in
    1.9[5-9].* | 1.[1-9][0-9][0-9].*) ;;
    *) die "ckb $CKB_VERSION needs cargo >= 1.95 (its rust-version), found $v" ;;
  esac
}

# The CKB node from crates.io into $CACHE/ckb-<version>/bin/ckb. Its compiled dependencies stay in
# $CACHE/cargo-target, so a version bump recompiles only what changed.
install_ckb() {
  local name=ckb version=$CKB_VERSION
  if ! is_cached "$name" "$version"; then
    require_cargo
    # rocksdb (C++, bindgen), openssl-sys and the linker.
    apt_install build-essential pkg-config libssl-dev clang libclang-dev
    local stage
    stage=$(new_stage "$name" "$version")
    log "ckb: cargo install ckb --version $version --locked (long: the node and rocksdb, see docs/infrastructure.md)"
    CARGO_TARGET_DIR="$CACHE/cargo-target" nice -n 10 cargo install ckb --version "$version" --locked --root "$stage"
    [ -x "$stage/bin/ckb" ] || die "ckb: cargo install left no $stage/bin/ckb"
    publish "$stage" "$name" "$version"
  fi
  log "ckb: $("$CACHE/$name-$version/bin/ckb" --version)"
}

install_helm() {
  local name=helm version=$HELM_VERSION major
  major=${version%%.*}
  if ! is_cached "$name" "$version"; then
    require_go
    local stage
    stage=$(new_stage "$name" "$version")
    log "helm: building helm.sh/helm/v$major/cmd/helm@v$version"
    GOBIN="$stage" go install -ldflags "-s -w -X helm.sh/helm/v$major/internal/version.version=v$version" \
      "helm.sh/helm/v$major/cmd/helm@v$version"
    publish "$stage" "$name" "$version"
  fi
  log "helm: $("$CACHE/$name-$version/helm" version --short)"
}

# The cluster tier (docs/infrastructure.md#the-cluster-tier): the node's runtime from Debian, the
# Kubernetes components from the same source as kube-apiserver (one GOCACHE: shared packages compile
# once), CoreDNS from its own module, and kubernetes' pause.c compiled statically (the sandbox image).
CLUSTER_APT=(containerd runc containernetworking-plugins iptables conntrack buildah debootstrap uidmap gcc libc6-dev)
KUBE_NODE_BINARIES=(kubelet kube-controller-manager kube-scheduler kube-proxy kubectl)

install_kubernetes() {
  local name=kubernetes version=$KUBERNETES_VERSION
  [ "$(go_module_version "$INFRA_DIR/k8s" k8s.io/kubernetes)" = "v$version" ] ||
    die "kubernetes: versions.env says $version but e2e/infra/k8s/go.mod differs (run: bash e2e/infra/k8s/gen-gomod.sh $version)"
  if ! is_cached "$name" "$version"; then
    require_go
    local stage minor pkgs=() b
    stage=$(new_stage "$name" "$version")
    minor=$(echo "$version" | cut -d. -f2)
    for b in "${KUBE_NODE_BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
    log "kubernetes: building ${KUBE_NODE_BINARIES[*]} v$version (one go build: shared packages compile once)"
    (cd "$INFRA_DIR/k8s" && go build -mod=readonly -o "$stage/" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
      "${pkgs[@]}")
    # The sandbox ("pause") process, from the same release's source in the module cache.
    local src
    src=$(cd "$INFRA_DIR/k8s" && go list -mod=readonly -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
    gcc -Os -static -DVERSION="v$version-eaglepool" -o "$stage/pause" "$src"
    strip "$stage/pause"
    publish "$stage" "$name" "$version"
  fi
  log "kubernetes: $("$CACHE/$name-$version/kubelet" --version), kubectl $("$CACHE/$name-$version/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -n1)"
}

install_coredns() {
  local name=coredns version=$COREDNS_VERSION
  [ "$(go_module_version "$INFRA_DIR/coredns" github.com/coredns/coredns)" = "v$version" ] ||
    die "coredns: versions.env says $version but e2e/infra/coredns/go.mod pins another version"
  if ! is_cached "$name" "$version"; then
    require_go
    local stage
    stage=$(new_stage "$name" "$version")
    log "coredns: building github.com/coredns/coredns@v$version"
    (cd "$INFRA_DIR/coredns" && go build -mod=readonly -ldflags "-s -w" -o "$stage/coredns" github.com/coredns/coredns)
    publish "$stage" "$name" "$version"
  fi
  log "coredns: $("$CACHE/$name-$version/coredns" -version | head -n1)"
}

install_cluster() {
  apt_install "${CLUSTER_APT[@]}"
  local bin
  for bin in containerd runc ctr iptables-nft buildah nsenter unshare; do
    command -v "$bin" >/dev/null || die "cluster: $bin is missing after apt install"
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
    die "cluster: the bridge/host-local/loopback CNI plugins are missing from /usr/lib/cni"
  install_kubernetes
  install_coredns
}

apt_install openssl ca-certificates

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(redis kafka etcd helm kube-apiserver)
for target in "${targets[@]}"; do
  started=$(date +%s)
  case "$target" in
    redis) install_redis ;;
    kafka) install_kafka ;;
    etcd) install_etcd ;;
    kube-apiserver) install_kube_apiserver ;;
    helm) install_helm ;;
    ckb) install_ckb ;;
    cluster) install_etcd && install_kube_apiserver && install_helm && install_cluster ;;
    *) die "unknown dependency '$target' (expected: redis kafka etcd kube-apiserver helm ckb cluster)" ;;
  esac
  log "$target ready in $(($(date +%s) - started))s"
done
# Only this run's leftovers: another build may be staging there right now (one not under this lock).
rm -rf "$CACHE/.staging/"*".$$"
