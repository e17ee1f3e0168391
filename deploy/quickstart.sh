#!/usr/bin/env bash
# Setup command 1: install, build, and run zedge on :8000 in front of the bundled
# example handler. Then `curl -i localhost:8000/` answers "hello world". Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/deploy/install-deps.sh" --build-only
"$root/deploy/build.sh" -DZEDGE_BUILD_TESTS=OFF
build_dir="${ZEDGE_BUILD_DIR:-$root/build}"

run_dir="$(mktemp -d /tmp/zedge-quickstart.XXXXXX)"
base="ipc://$run_dir/client"
"$build_dir/cmd/zedge/zedge" --listen 8000,stream --zclient-stream "$base" &
zedge_pid=$!
"$build_dir/cmd/zedge-hello-handler/zedge-hello-handler" --stream-base "$base" &
handler_pid=$!
cleanup() {
  kill "$zedge_pid" "$handler_pid" 2>/dev/null || true
  wait "$zedge_pid" "$handler_pid" 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM
echo "zedge is listening on :8000 — try: curl -i localhost:8000/"
wait "$zedge_pid"
