#!/usr/bin/env bash
# Installs everything zedge needs to build and test, from Debian 12 packages only.
# Usage: deploy/install-deps.sh [--build-only]
# Runs apt-get only when something is missing, so repeated runs are fast.
set -euo pipefail

build_packages=(
  g++ make cmake ninja-build pkg-config
  libasio-dev libzmq3-dev node-llhttp prometheus-cpp-dev rapidjson-dev libssl-dev zlib1g-dev
  libc-ares-dev
)
test_packages=(
  libgtest-dev
  python3 python3-zmq python3-pytest python3-websockets
  python3-yaml python3-jsonschema python3-prometheus-client
  curl wrk openssl condure pushpin dnsmasq-base systemd
  clang-format
)

packages=("${build_packages[@]}")
if [ "${1:-}" != "--build-only" ]; then
  packages+=("${test_packages[@]}")
fi

source "$(dirname "$0")/apt-install-missing.sh"
apt_install_missing install-deps "${packages[@]}"
