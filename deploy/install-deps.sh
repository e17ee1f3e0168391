#!/usr/bin/env bash
# Installs everything zedge needs to build and test, from Debian 12 packages only.
# Usage: deploy/install-deps.sh [--runtime-only]
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
  curl wrk condure pushpin dnsmasq-base systemd
)

packages=("${build_packages[@]}")
if [ "${1:-}" != "--runtime-only" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
