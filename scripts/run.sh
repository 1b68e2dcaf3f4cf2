#!/usr/bin/env bash
# The README's run command: installs dependencies, builds, and runs tokend
# with its own private PostgreSQL under ./var/tokend, registers a demo client
# and user, prints working tokenctl and curl lines, then serves until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh --target tokend tokenctl

export TOKEND_DATA_DIR="${TOKEND_DATA_DIR:-$PWD/var/tokend}"
export TOKEND_GRPC_ADDR="${TOKEND_GRPC_ADDR:-127.0.0.1:50051}"
export TOKEND_ADMIN_ADDR="${TOKEND_ADMIN_ADDR:-127.0.0.1:50052}"
export TOKEND_HTTP_ADDR="${TOKEND_HTTP_ADDR:-127.0.0.1:8080}"
mkdir -p "$TOKEND_DATA_DIR"
TOKEND="$PWD/build/bin/tokend"
CTL="$PWD/build/bin/tokenctl"
LOG="$TOKEND_DATA_DIR/tokend.log"

echo "==> starting tokend (log: $LOG)"
"$TOKEND" >>"$LOG" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 0' INT TERM

for _ in $(seq 1 240); do
  "$CTL" client list >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "tokend exited; last log lines:"; tail -20 "$LOG"; exit 1; }
  sleep 0.5
done
"$CTL" client list >/dev/null || { echo "tokend did not become ready"; tail -20 "$LOG"; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
# The demo client keeps its id across runs; its secret is shown once, so an
# existing one gets a fresh secret.
CALLBACK=http://localhost:9999/callback
demo_settings=(--name="Demo app" --grant_types=client_credentials,password,refresh_token,authorization_code
               --allowed_scopes=read,write,email --default_scopes=read --redirect_uris=$CALLBACK)
if "$CTL" client get demo-app >/dev/null 2>&1; then
  "$CTL" client update demo-app "${demo_settings[@]}" >/dev/null
  secret=$("$CTL" client rotate-secret demo-app | json "['client_secret']")
else
  secret=$("$CTL" client create --client_id=demo-app "${demo_settings[@]}" | json "['client_secret']")
fi
"$CTL" user get --username=demo >/dev/null 2>&1 ||
  "$CTL" user create --username=demo --password=demo-password --email=demo@example.test >/dev/null

basic=$(printf '%s' "demo-app:$secret" | base64 -w0)
cat <<EOT

tokend is running (gRPC $TOKEND_GRPC_ADDR, admin $TOKEND_ADMIN_ADDR, HTTP $TOKEND_HTTP_ADDR).
Demo client:  client_id=demo-app  client_secret=$secret
Demo user:    username=demo  password=demo-password

Try, from another shell in this directory:
  export TOKEND_DATA_DIR=$TOKEND_DATA_DIR
  build/bin/tokenctl token issue --client_id=demo-app --client_secret=$secret --scope="read write"
  build/bin/tokenctl token issue --grant=password --client_id=demo-app --client_secret=$secret --username=demo --password=demo-password
  build/bin/tokenctl token introspect --client_id=demo-app --client_secret=$secret <access_token>

  curl -s http://$TOKEND_HTTP_ADDR/oauth/token -H "Authorization: Basic $basic" -d grant_type=client_credentials
  curl -s http://$TOKEND_HTTP_ADDR/oauth/token -H "Authorization: Basic $basic" -d grant_type=password -d username=demo -d password=demo-password
  curl -s http://$TOKEND_HTTP_ADDR/oauth/introspect -u "demo-app:$secret" -d token=<access_token>
  curl -s http://$TOKEND_HTTP_ADDR/metrics | grep tokend_oauth_requests_total

The authorization code flow: open this in a browser, sign in as demo / demo-password, allow,
and copy the code from the address bar of the (unreachable) $CALLBACK page:
  http://$TOKEND_HTTP_ADDR/oauth/authorize?response_type=code&client_id=demo-app&redirect_uri=$CALLBACK&scope=email&state=xyz
  curl -s http://$TOKEND_HTTP_ADDR/oauth/token -u "demo-app:$secret" -d grant_type=authorization_code -d code=<code> -d redirect_uri=$CALLBACK
  curl -s http://$TOKEND_HTTP_ADDR/api/me -H "Authorization: Bearer <access_token>"

Ctrl-C stops tokend and its PostgreSQL.
EOT
wait "$pid"
