#!/usr/bin/env bash
# Runs the Python client's tests against the live tokend named by TOKEND_*
# (tests/clients/clients_e2etest starts one and sets them). Stubs are generated
# into $CLIENTS_BUILD_DIR/python, never into the source tree.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gen="${CLIENTS_BUILD_DIR:-$here/build}/python/gen"
bash "$here/../../scripts/gen-clients.sh" python "$gen" --testdata
export PYTHONPATH="$here/src:$gen" PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest -p no:cacheprovider -q "$here/tests" "$@"
