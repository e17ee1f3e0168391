#!/usr/bin/env bash
# The test suite against an ASan + UBSan build of everything: unit tests and the
# integration tests, which run the sanitized zedge binary from this build dir.
# Usage: deploy/test-sanitizers.sh [extra ctest args, e.g. -L unit or -R integration.test_http]
# Build dir: $ZEDGE_SANITIZE_BUILD_DIR, default ./build-asan. Compiler: $CC/$CXX (default gcc).
# A report anywhere (even one a test tolerated, e.g. a leak at exit of a process whose exit
# status nobody checks) fails the run: every report is written to a log dir that must stay
# empty.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${ZEDGE_SANITIZE_BUILD_DIR:-$root/build-asan}"

# No-ops when everything is there (deploy/test.sh has run them already).
"$root/deploy/install-deps.sh"
"$root/deploy/install-node-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja \
  -DCMAKE_C_COMPILER="${CC:-gcc}" -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZEDGE_SANITIZE=address,undefined -DZEDGE_BUILD_TESTS=ON \
  -DZEDGE_BUILD_FUZZERS=ON
cmake --build "$build_dir" --parallel "$(nproc)"

reports="$build_dir/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
supp="$root/tests/fuzz/sanitizer-suppressions"
# abort_on_error: a report ends the process at once (the test sees the crash).
# log_path: reports also go to files, checked below; %p-suffixed per process.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
# The drain-under-load tests repeat each drain 20 times in the normal stage; a quarter of
# that proves the same code paths under the sanitizers at a third of the CPU.
export ZEDGE_DRAIN_REPETITIONS_SCALE=0.25
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp:log_path=$reports/ubsan"

cd "$build_dir"
status=0
# Chart tests exercise no zedge code; they are the normal build's job.
ctest --output-on-failure --parallel "$(nproc)" --timeout 400 -LE chart "$@" || status=$?

if compgen -G "$reports/*" > /dev/null; then
  echo "test-sanitizers: sanitizer reports in $reports:" >&2
  for f in "$reports"/*; do
    echo "=== $f" >&2
    head -n 60 "$f" >&2
  done
  status=1
fi
exit "$status"
