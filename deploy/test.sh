#!/usr/bin/env bash
# Setup command 2: install, build and run the whole test suite, in three stages after two
# quick checks of the tree (seconds, before anything is built):
#   0. deploy/check-format.sh (clang-format, as .clang-format says; ZEDGE_CHECK_FORMAT=0 skips
#      it) and tests/lint/check_layout.py (pkg/ file sizes, comments that cite documents
#      outside the repository, README's layout table; ZEDGE_CHECK_LAYOUT=0 skips it);
#   1. the normal build (warnings as errors): unit tests of the protocol cores, integration
#      tests of the real binary, the chart, a replay of the fuzz corpora;
#   2. the same suite against an ASan + UBSan build (deploy/test-sanitizers.sh), zero reports;
#   3. every libFuzzer target for $ZEDGE_FUZZ_SECONDS (default 30) each (deploy/fuzz.sh).
# Usage: deploy/test.sh [--quick]   (--quick: the checks and stage 1 only)
# Every stage runs even if an earlier one failed; the summary at the end says which did.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

set -e
"$root/deploy/install-deps.sh"
# The `ws` npm client used by the WebSocket integration tests.
"$root/deploy/install-node-deps.sh"
# Go + sprig (the Helm chart renderer) and yamllint for the chart tests.
"$root/deploy/install-chart-test-deps.sh"
# clang and its libFuzzer/ASan runtimes for stage 3.
[ "$quick" = 1 ] || "$root/deploy/install-fuzz-deps.sh"
set +e

stage_names=()
stage_results=()
run_stage() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "=== test.sh: $name"
  "$@"
  local status=$?
  stage_names+=("$name")
  stage_results+=("$([ "$status" = 0 ] && echo passed || echo "FAILED ($status)") in $((SECONDS - start)) s")
  return 0
}

# A subshell, so that set -e and cd stay inside.
normal_build() (
  set -e
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
)

# A stage that did not run; the summary says why.
skip_stage() {
  stage_names+=("$1")
  stage_results+=("skipped ($2)")
}

# The checks of the tree come first: they take seconds, and each has a switch (default 1).
if [ "${ZEDGE_CHECK_FORMAT:-1}" != 0 ]; then
  run_stage "clang-format check" "$root/deploy/check-format.sh"
else
  skip_stage "clang-format check" "ZEDGE_CHECK_FORMAT=0"
fi
if [ "${ZEDGE_CHECK_LAYOUT:-1}" != 0 ]; then
  run_stage "layout lint" /usr/bin/python3 "$root/tests/lint/check_layout.py"
else
  skip_stage "layout lint" "ZEDGE_CHECK_LAYOUT=0"
fi
run_stage "normal build, full suite" normal_build
if [ "$quick" = 0 ]; then
  run_stage "ASan + UBSan build, full suite" "$root/deploy/test-sanitizers.sh"
  run_stage "libFuzzer, ${ZEDGE_FUZZ_SECONDS:-30} s per target" "$root/deploy/fuzz.sh" "${ZEDGE_FUZZ_SECONDS:-30}"
fi

echo "=== test.sh summary"
failed=0
for i in "${!stage_names[@]}"; do
  echo "  ${stage_names[$i]}: ${stage_results[$i]}"
  case "${stage_results[$i]}" in passed* | skipped*) ;; *) failed=1 ;; esac
done
exit "$failed"
