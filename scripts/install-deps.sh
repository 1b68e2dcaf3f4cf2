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
  wrk python3 nodejs npm openssl
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
