#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for a Kubernetes release:
#   bash e2e/infra/k8s/gen-gomod.sh 1.37.2
# The published k8s.io/kubernetes go.mod requires every staging module at v0.0.0 and
# points it at ./staging/src/...; replace directives of a dependency are ignored, so we
# derive the list from that go.mod and route each staging module to its published
# v0.X.Y tag (Kubernetes v1.X.Y <-> staging v0.X.Y).
set -euo pipefail
K="${1:?usage: gen-gomod.sh <kubernetes version, e.g. 1.37.2>}"
cd "$(dirname "$0")"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
MODFILE=$(go mod download -json "k8s.io/kubernetes@v$K" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
rm -f go.mod go.sum
go mod init eaglepool.local/infra/k8s
go mod edit -go="$(sed -n 's/^go \(.*\)/\1/p' "$MODFILE")"
sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*|\1|p' "$MODFILE" | while read -r m; do
  go mod edit -replace "$m=$m@v0.${K#1.}"
done
go mod edit -require "k8s.io/kubernetes@v$K"
# kube-apiserver for the kube tier; the rest for the cluster tier (e2e/infra/install.sh cluster).
for cmd in kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy kubectl; do
  go get -tool "k8s.io/kubernetes/cmd/$cmd@v$K"
done
go mod tidy
