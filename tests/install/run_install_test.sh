#!/usr/bin/env bash
# The container image, proved as far as it can be without a Docker engine:
# `cmake --install` into a staging root (as helm/Dockerfile does), then
#  1. every shared library the installed binaries load belongs to a runtime
#     package the Dockerfile's runtime stage names, or to one of their
#     dependencies (what apt would bring into the image);
#  2. the installed tokend and tokenctl run from that root: a client is
#     registered, a token issued and introspected, and SIGTERM exits cleanly.
# Usage: run_install_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$1
SRC=$2
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }

STAGE=$(mktemp -d /tmp/tokend-stage-XXXXXX)
chmod 755 "$STAGE"
pid=""
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$STAGE"; }
trap cleanup EXIT

DESTDIR=$STAGE cmake --install "$BUILD" --prefix /opt/tokend >/dev/null
BIN=$STAGE/opt/tokend/bin
check "installed tokend" "[ -x $BIN/tokend ]"
check "installed tokenctl" "[ -x $BIN/tokenctl ]"

# 1. Libraries versus the Dockerfile's runtime packages.
runtime_pkgs=$(awk '/^FROM .* AS runtime/{r=1} r && /apt-get install/{f=1} f{print} f && !/\\$/{exit}' \
                 "$SRC/helm/Dockerfile" | tr ' \\' '\n\n' |
               grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vxE 'apt-get|install|rm|update')
check "Dockerfile names runtime packages" "[ -n \"$runtime_pkgs\" ]"
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances $runtime_pkgs 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u)
closure=$(printf '%s\nlibc6\n' "$closure")  # debian:12-slim's own libc
for lib in $(ldd "$BIN/tokend" "$BIN/tokenctl" | awk '/=>/ {print $3}' | sort -u); do
  real=$(realpath "$lib")
  owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || dpkg -S "$lib" 2>/dev/null)
  pkg=${owner%%:*}
  check "$lib ($pkg) comes with the runtime packages" "grep -qxF '$pkg' <<<\"\$closure\""
done

# 2. The installed binaries, for real.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export TOKEND_DATA_DIR=$STAGE/var
export TOKEND_GRPC_ADDR=127.0.0.1:$(free_port) TOKEND_ADMIN_ADDR=127.0.0.1:$(free_port)
export TOKEND_HTTP_ADDR=127.0.0.1:$(free_port)
mkdir -p "$TOKEND_DATA_DIR"
"$BIN/tokend" >"$STAGE/tokend.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do "$BIN/tokenctl" client list >/dev/null 2>&1 && break; sleep 0.25; done
check "installed tokend answers" "'$BIN/tokenctl' client list >/dev/null"
created=$("$BIN/tokenctl" client create --name=staged)
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$created")
secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$created")
token=$("$BIN/tokenctl" token issue --client_id="$id" --client_secret="$secret" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
check "token issued" "[[ '$token' == tda_* ]]"
check "token active" "'$BIN/tokenctl' token introspect --client_id='$id' --client_secret='$secret' '$token' | grep -q '\"active\": true'"
check "HTTP listener" "curl -sf http://$TOKEND_HTTP_ADDR/healthz >/dev/null"
kill -TERM "$pid"
wait "$pid"
status=$?
pid=""
check "SIGTERM exits 0" "[ $status -eq 0 ]"
[ $failed -eq 0 ] || tail -20 "$STAGE/tokend.log" >&2

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
