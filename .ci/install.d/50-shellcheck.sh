#!/usr/bin/env bash
# Installs the shell linter used by the tests of the operator scripts (e2e/kind, e2e/image).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=/dev/null
source .ci/lib/apt.sh
apt_install shellcheck
