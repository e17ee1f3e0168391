#!/usr/bin/env bash
# Installs the npm packages of the integration tests (tests/integration/node: the `ws`
# WebSocket client) with `npm ci` from the committed package-lock.json.
# Usage: deploy/install-node-deps.sh
# Installs Debian's nodejs and npm with apt-get only when `node` or `npm` is missing, and
# skips npm when node_modules already matches the lockfile, so repeated runs are fast and
# need no network. npm prefers its cache (--prefer-offline).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/tests/integration/node"
stamp="$dir/node_modules/.zedge-lockfile.sha256"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-node-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

lock_sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -f "$dir/node_modules/ws/package.json" ]; then
  echo "install-node-deps: node_modules matches package-lock.json"
  exit 0
fi

echo "install-node-deps: npm ci in ${dir#"$root"/} (node $(node --version), npm $(npm --version))"
(cd "$dir" && npm ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$lock_sum" >"$stamp"
