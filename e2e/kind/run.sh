#!/usr/bin/env bash
# End-to-end on a real cluster with kind (needs docker or podman; cannot run on the Eaglepool dev
# machines, which have no container engine - CI / your laptop only):
#   create a kind cluster -> build and load the image -> helm install the operator -> apply a
#   devnet MiningPool -> wait for Ready -> scale stratum -> run the CPU miner against the stratum
#   Service -> check that shares are accepted.
#
#   e2e/kind/run.sh                 # everything, then delete the cluster
#   KEEP_CLUSTER=1 e2e/kind/run.sh  # leave the cluster up for poking around
#   IMAGE_ARCHIVE=img.tar e2e/kind/run.sh   # load a prebuilt docker-archive (e2e/image/build.sh) instead of docker build
set -euo pipefail
cd "$(dirname "$0")/../.."

cluster="${KIND_CLUSTER:-eaglepool-e2e}"
tag="e2e-$(git rev-parse --short HEAD 2>/dev/null || date +%s)"
image="eaglepool:${tag}"
system_ns=eaglepool-system
pool_ns=miners
timeout_ready="${TIMEOUT_READY:-15m}"

log() { printf '\n=== %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is required" >&2; exit 2; }; }
need kind
need kubectl
need helm

dump() {
  log "diagnostics"
  kubectl get miningpools,all,pvc,events -A -o wide || true
  kubectl describe miningpool -n "$pool_ns" || true
  kubectl logs -n "$system_ns" deploy/eaglepool --tail=200 || true
  kubectl logs -n "$pool_ns" -l app.kubernetes.io/instance=devnet --all-containers --tail=50 --prefix || true
}
cleanup() {
  local rc=$?
  [ "$rc" -ne 0 ] && dump
  if [ -z "${KEEP_CLUSTER:-}" ]; then kind delete cluster --name "$cluster" || true; fi
  exit "$rc"
}
trap cleanup EXIT

log "kind cluster $cluster"
if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --config e2e/kind/kind-config.yaml --wait 5m
fi
kubectl config use-context "kind-$cluster"

log "image $image"
if [ -n "${IMAGE_ARCHIVE:-}" ]; then
  kind load image-archive "$IMAGE_ARCHIVE" --name "$cluster"
  image="$(tar -xOf "$IMAGE_ARCHIVE" manifest.json | sed -n 's/.*"RepoTags":\["\([^"]*\)".*/\1/p')"
else
  need docker
  docker build -t "$image" .
  # Never :latest (kind would re-pull with imagePullPolicy Always).
  kind load docker-image "$image" --name "$cluster"
fi
repo="${image%:*}"
tag="${image##*:}"

log "helm install the operator"
helm upgrade --install eaglepool charts/eaglepool --namespace "$system_ns" --create-namespace \
  --set image.repository="$repo" --set image.tag="$tag" --set image.pullPolicy=IfNotPresent \
  --wait --timeout 5m
kubectl wait --for condition=Established crd/miningpools.mining.eaglepool.dev --timeout 60s

log "apply the devnet MiningPool"
kubectl create namespace "$pool_ns" --dry-run=client -o yaml | kubectl apply -f -
sed "s|pool: eaglepool:e2e|pool: ${image}|" e2e/kind/miningpool-devnet.yaml | kubectl apply -n "$pool_ns" -f -
kubectl wait -n "$pool_ns" miningpool/devnet --for condition=Ready --timeout "$timeout_ready"
kubectl get -n "$pool_ns" miningpool devnet

log "scale stratum through the scale subresource"
kubectl scale -n "$pool_ns" miningpool/devnet --replicas=3
kubectl wait -n "$pool_ns" miningpool/devnet --for jsonpath='{.status.stratum.readyReplicas}'=3 --timeout 5m
kubectl get -n "$pool_ns" deploy/devnet-stratum -o jsonpath='{.spec.replicas}' | grep -qx 3

log "mine against the stratum Service"
authority="$(kubectl get -n "$pool_ns" miningpool devnet -o jsonpath='{.status.noiseAuthorityPublicKey}')"
endpoint="$(kubectl get -n "$pool_ns" miningpool devnet -o jsonpath='{.status.endpoints.stratum}')"
if [ -z "$authority" ] || [ -z "$endpoint" ]; then
  echo "run.sh: status lacks the authority key or endpoint" >&2
  exit 1
fi
kubectl run miner -n "$pool_ns" --image "$image" --image-pull-policy IfNotPresent --restart Never -- \
  miner --url "$endpoint" --authority-key "$authority" --user e2e.worker1 --threads 1 --interval 5
kubectl wait -n "$pool_ns" pod/miner --for condition=Ready --timeout 2m
accepted=0
for _ in $(seq 1 36); do
  sleep 5
  accepted="$(kubectl logs -n "$pool_ns" miner | sed -n 's/.* accepted \([0-9][0-9]*\) .*/\1/p' | tail -1)"
  [ "${accepted:-0}" -gt 0 ] && break
done
kubectl logs -n "$pool_ns" miner | tail -5
[ "${accepted:-0}" -gt 0 ] || { echo "run.sh: no share accepted within 3 minutes" >&2; exit 1; }
log "OK: ${accepted} share(s) accepted"
