#!/usr/bin/env bash
# Installs what tokend needs to build, run and test on Debian 12, as root.
# Idempotent: apt runs only when a package is missing.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev libssl-dev libsodium-dev libboost-dev libgoogle-perftools-dev
  libgtest-dev libgmock-dev
  # tests/fuzz and the ASan+UBSan unit tests (scripts/fuzz.sh): clang, libFuzzer, the symbolizer
  clang-14 libclang-rt-14-dev llvm-14
  postgresql postgresql-contrib util-linux
  wrk python3 openssl curl
  # tests: independent OAuth/JWT client libraries
  python3-requests-oauthlib python3-jwt python3-cryptography
  # tests/browser: the login and consent pages in a real browser (playwright-core from npm)
  chromium
  # tests: ../shared/tools/helm-check (it would install these itself; done here once)
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v3-dev
  golang-github-burntsushi-toml-dev golang-github-gobwas-glob-dev
  python3-kubernetes python3-yaml python3-jsonschema
  # clients/ (tests/clients): Python, Go (offline, GOPATH mode; golang/protobuf 1.5 replaces
  # 1.3, which cannot marshal protoc-gen-go 1.28 messages), Java (grpc-java's undeclared
  # netty/gson/perfmark dependencies by name), JUnit 4
  python3-grpcio python3-protobuf python3-pytest python3-pip python3-setuptools python3-wheel
  golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
  protoc-gen-go protoc-gen-go-grpc
  default-jdk-headless libgrpc-java libprotobuf-java protobuf-compiler-grpc-java-plugin
  libnetty-java libgoogle-gson-java libperfmark-java libanimal-sniffer-java libguava-java
  liberror-prone-java libjsr305-java libgeronimo-annotation-1.3-spec-java junit4 libhamcrest-java
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
