#!/usr/bin/env bash
# Configures and builds tokend into ./build (BUILD_TYPE=Release|RelWithDebInfo).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build -j"$(nproc)" "$@"
