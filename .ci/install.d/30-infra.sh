#!/usr/bin/env bash
# Real dependencies of the integration tests (Redis, Kafka, etcd + kube-apiserver, helm), built once
# and cached under ~/.cache/eaglepool/<name>-<version>/; see docs/infrastructure.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash e2e/infra/install.sh "$@"
