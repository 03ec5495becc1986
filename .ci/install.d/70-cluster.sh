#!/usr/bin/env bash
# The cluster tier of the e2e/cluster suite (kubelet, controller-manager, scheduler, kube-proxy, kubectl,
# CoreDNS from the Go module proxy; containerd, runc, CNI and buildah from Debian; the pods' images built
# locally). Cached under ~/.cache/eaglepool like the rest; see docs/infrastructure.md#the-cluster-tier.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash e2e/cluster/install.sh
