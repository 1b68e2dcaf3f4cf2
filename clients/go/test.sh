#!/usr/bin/env bash
# Builds and runs the Go client's tests offline against the live tokend named
# by TOKEND_* (tests/clients/clients_e2etest starts one). Debian's Go packages
# (/usr/share/gocode) are used in GOPATH mode; the module's files are linked
# into a GOPATH under $CLIENTS_BUILD_DIR/go next to the generated stubs.
# Extra arguments go to `go test`; `bash test.sh env` prints the Go environment
# instead, for building other programs against the client.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${CLIENTS_BUILD_DIR:-$here/build}/go"
pkg="$base/gopath/src/tokend.internal/clients/go"
rm -rf "$pkg"
mkdir -p "$pkg"
for f in "$here"/*.go "$here/README.md"; do ln -s "$f" "$pkg/"; done
bash "$here/../../scripts/gen-clients.sh" go "$pkg" --testdata
export GOPATH="$base/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS="" GOPROXY=off GOCACHE="$base/cache"
if [[ "${1:-}" == env ]]; then
  echo "GOPATH=$GOPATH GO111MODULE=off GOCACHE=$GOCACHE GOFLAGS= GOPROXY=off"
  exit 0
fi
cd "$pkg"
exec go test -count=1 "$@" tokend.internal/clients/go
