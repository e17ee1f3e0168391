#!/usr/bin/env bash
# Setup command 2: install, build (warnings as errors) and run the whole test suite:
# unit tests of the protocol cores and integration tests of the real binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/deploy/install-deps.sh"
# The `ws` npm client used by the WebSocket integration tests.
"$root/deploy/install-node-deps.sh"
# Go + sprig (the Helm chart renderer) and yamllint for the chart tests.
"$root/deploy/install-chart-test-deps.sh"
export ZEDGE_BUILD_DIR="${ZEDGE_BUILD_DIR:-$root/build}"
# Fuzz targets too: built with a replay main(), ctest replays their corpora and regressions.
"$root/deploy/build.sh" -DZEDGE_WERROR=ON -DZEDGE_BUILD_TESTS=ON -DZEDGE_BUILD_FUZZERS=ON
if [ "${ZEDGE_BENCH_SMOKE:-}" = 1 ]; then
  # Proves the benchmark harness still runs; it never asserts timings (tests/bench/README.md).
  /usr/bin/python3 "$root/tests/bench/bench.py" --smoke --quiet-wait 10 \
    --zedge "$ZEDGE_BUILD_DIR/cmd/zedge/zedge" \
    --handler "$ZEDGE_BUILD_DIR/cmd/zedge-hello-handler/zedge-hello-handler"
fi
cd "$ZEDGE_BUILD_DIR"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300
