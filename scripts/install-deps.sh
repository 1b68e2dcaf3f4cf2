#!/usr/bin/env bash
# Installs what tokend needs to build, run and test on Debian 12, as root.
# Idempotent: apt runs only when a package is missing.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev libssl-dev libsodium-dev libboost-dev
  libgtest-dev libgmock-dev
  postgresql postgresql-contrib util-linux
  wrk python3 openssl curl
  # tests: independent OAuth/JWT client libraries
  python3-requests-oauthlib python3-jwt python3-cryptography
  # tests: ../shared/tools/helm-check (it would install these itself; done here once)
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v3-dev
  golang-github-burntsushi-toml-dev golang-github-gobwas-glob-dev
  python3-kubernetes python3-yaml python3-jsonschema
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another packaging that bundles npm (and conflicts
# with Debian's npm package): only install Debian's when there is none.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
