#!/usr/bin/env bash
# Installs what the Helm chart tests (tests/chart) need, from Debian 12 packages only:
# Go and sprig (and sigs.k8s.io/yaml) to build the renderer offline, yamllint, and Debian's
# python3 with jsonschema, PyYAML and pytest. Runs apt-get only when something is missing.
set -euo pipefail

packages=(
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev
  yamllint python3 python3-jsonschema python3-yaml python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-chart-test-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-chart-test-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
