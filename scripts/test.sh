#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> npm ci (buf, for the proto lint test)"
(cd proto && npm ci --no-audit --no-fund --loglevel=error)
bash scripts/build.sh
echo "==> ctest"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900
