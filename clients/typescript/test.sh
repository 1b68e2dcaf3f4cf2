#!/usr/bin/env bash
# Type-checks (tsc --strict) and runs the TypeScript client's tests with node's
# test runner against the live tokend named by TOKEND_* (tests/clients starts
# one). Installs the npm dependencies with `npm ci` when node_modules is
# missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
rm -rf gen dist
bash ../../scripts/gen-clients.sh typescript gen --testdata
# The README's example, compiled and run by test/readme.test.ts.
awk '/^```ts$/{on=1; next} /^```$/{on=0} on' README.md > gen/readme-example.ts
node_modules/.bin/tsc -p tsconfig.json
exec node --test --test-reporter=tap "$@" dist/test/*.test.js
