#!/usr/bin/env bash
# What the dashboard and alerting tests need: Debian's Prometheus (prometheus + promtool: rule
# checks and unit tests, a real server scraping a running pool) and Debian's Chromium (the miners'
# web dashboard driven headless by playwright-core; never a downloaded browser).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=/dev/null
source .ci/lib/apt.sh
apt_install prometheus chromium
