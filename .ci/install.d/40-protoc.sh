#!/usr/bin/env bash
# protoc for ts-proto: the generated TypeScript in proto/gen/ is committed, protoc is
# only needed to regenerate it (`bash proto/generate.sh`) and for the freshness test
# (pool/src/bus/proto-gen.int.test.ts), which regenerates into a temp dir and diffs.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/apt.sh
apt_install protobuf-compiler
protoc --version
