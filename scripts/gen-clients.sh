#!/usr/bin/env bash
# Generates the client stubs for proto/tokend/v1 with the same protoc as the
# server build (PROTOC, default: protoc on PATH, i.e. Debian's
# protobuf-compiler, the one find_package(Protobuf) picks).
#
#   scripts/gen-clients.sh LANG [OUT_DIR] [--testdata]
#
# LANG is python, go, typescript or java. OUT_DIR defaults to the place where
# that client's package expects its stubs (git-ignored there); the tests
# generate into their build directory instead. --testdata adds the echo
# service of clients/testdata/echo.proto (for the interceptor tests only).
#   python      OUT/tokend/v1/*_pb2.py, *_pb2_grpc.py  (grpc_python_plugin)
#   go          OUT/tokendv1/*.pb.go (OUT: the module)  (protoc-gen-go, protoc-gen-go-grpc)
#   typescript  OUT/tokend/v1/*_pb.ts                   (@bufbuild/protoc-gen-es from clients/typescript)
#   java        OUT/tokend/v1/*.java                    (grpc_java_plugin)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lang="${1:?usage: gen-clients.sh python|go|typescript|java [OUT_DIR] [--testdata]}"
shift
out=""
testdata=0
for arg in "$@"; do
  case "$arg" in
    --testdata) testdata=1 ;;
    *) out="$arg" ;;
  esac
done
PROTOC="${PROTOC:-protoc}"
protos=(tokend/v1/errors.proto tokend/v1/token.proto tokend/v1/admin.proto tokend/v1/identity.proto)
go_module=tokend.internal/clients/go

case "$lang" in
  python)
    out="${out:-$root/clients/python/src}"
    mkdir -p "$out"
    "$PROTOC" -I "$root/proto" --python_out="$out" --grpc_python_out="$out" \
      --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "${protos[@]}"
    touch "$out/tokend/__init__.py" "$out/tokend/v1/__init__.py"
    if ((testdata)); then
      "$PROTOC" -I "$root/clients/testdata" --python_out="$out" --grpc_python_out="$out" \
        --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" echo.proto
    fi
    ;;
  go)
    out="${out:-$root/clients/go}"
    mkdir -p "$out/tokendv1"
    maps=""
    for p in "${protos[@]}"; do maps+=",M$p=$go_module/tokendv1"; done
    "$PROTOC" -I "$root/proto" \
      --go_out="$out" --go_opt="module=$go_module$maps" \
      --go-grpc_out="$out" --go-grpc_opt="module=$go_module$maps" "${protos[@]}"
    if ((testdata)); then
      mkdir -p "$out/internal/echov1"
      "$PROTOC" -I "$root/clients/testdata" \
        --go_out="$out" --go_opt="module=$go_module" \
        --go-grpc_out="$out" --go-grpc_opt="module=$go_module" echo.proto
    fi
    ;;
  typescript)
    out="${out:-$root/clients/typescript/gen}"
    plugin="$root/clients/typescript/node_modules/.bin/protoc-gen-es"
    [[ -x "$plugin" ]] || { echo "gen-clients.sh: run 'npm ci' in clients/typescript first" >&2; exit 1; }
    mkdir -p "$out"
    "$PROTOC" -I "$root/proto" --plugin=protoc-gen-es="$plugin" \
      --es_out="$out" --es_opt=target=ts,import_extension=js "${protos[@]}"
    if ((testdata)); then
      "$PROTOC" -I "$root/clients/testdata" --plugin=protoc-gen-es="$plugin" \
        --es_out="$out" --es_opt=target=ts,import_extension=js echo.proto
    fi
    ;;
  java)
    out="${out:-$root/clients/java/gen}"
    mkdir -p "$out"
    "$PROTOC" -I "$root/proto" --java_out="$out" --grpc-java_out="$out" \
      --plugin=protoc-gen-grpc-java="$(command -v grpc_java_plugin)" "${protos[@]}"
    if ((testdata)); then
      "$PROTOC" -I "$root/clients/testdata" --java_out="$out" --grpc-java_out="$out" \
        --plugin=protoc-gen-grpc-java="$(command -v grpc_java_plugin)" echo.proto
    fi
    ;;
  *)
    echo "gen-clients.sh: unknown language '$lang' (python, go, typescript, java)" >&2
    exit 2
    ;;
esac
