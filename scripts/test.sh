#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> npm install (buf, for the proto lint test)"
# The registry here omits other platforms' optional packages, which makes
# `npm ci` refuse any lock file: versions are pinned exactly in package.json.
(cd proto && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
echo "==> npm install (playwright-core, for the browser test)"
(cd tests/browser && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
bash scripts/build.sh
echo "==> ctest"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900
