#!/usr/bin/env bash
# The cluster tier of the e2e/cluster suite: Debian's containerd, runc, CNI plugins, iptables, buildah;
# kubelet, kube-controller-manager, kube-scheduler, kube-proxy, kubectl and CoreDNS built from the Go
# module proxy; then every image its pods run, built locally (no registry). All cached under
# ~/.cache/eaglepool (and buildah's store); see docs/infrastructure.md#the-cluster-tier.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash e2e/infra/install.sh cluster
started=$(date +%s)
bash e2e/image/cluster-images.sh >/dev/null
echo "infra: cluster images ready in $(($(date +%s) - started))s"
