#!/usr/bin/env bash
# Regenerates the committed TypeScript in proto/gen/ from proto/*.proto with ts-proto.
# Usage: bash proto/generate.sh [OUTDIR]   (default proto/gen; pool/src/bus/proto-gen.int.test.ts passes a temp dir)
# Needs protoc (Debian protobuf-compiler, installed by .ci/install.d/40-protoc.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/proto/gen}"
mkdir -p "$out"
rm -f "$out"/*.ts
protoc \
  --plugin=protoc-gen-ts_proto="$root/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$out" \
  --ts_proto_opt=esModuleInterop=true,importSuffix=.js,forceLong=bigint,useOptionals=messages,outputServices=grpc-js,useExactTypes=false \
  --proto_path="$root/proto" \
  "$root"/proto/*.proto
