#!/usr/bin/env bash
# Installs what the Helm chart tests (tests/chart) need, from Debian 12 packages only:
# Go and sprig (and sigs.k8s.io/yaml) to build the renderer offline, yamllint, and Debian's
# python3 with jsonschema, PyYAML and pytest. Runs apt-get only when something is missing.
set -euo pipefail

packages=(
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev
  yamllint python3 python3-jsonschema python3-yaml python3-pytest
)

source "$(dirname "$0")/apt-install-missing.sh"
apt_install_missing install-chart-test-deps "${packages[@]}"
