#!/usr/bin/env bash
# Node dependencies exactly as locked.
set -euo pipefail
node --version
npm ci --no-audit --no-fund
