#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) and runs each for a bounded
# time, starting from its checked-in seed corpus and regression inputs.
# Usage: deploy/fuzz.sh [seconds-per-target] [target...]   (default 30 s, every target)
# Build dir: $ZEDGE_FUZZ_BUILD_DIR, default ./build-fuzz. New corpus entries stay in
# <build>/fuzz-work/corpus/<target> (not the repo). A crash is copied to
# tests/fuzz/regressions/<target>/ (replayed by ctest from then on) and fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${ZEDGE_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-30}"
shift || true

"$root/deploy/install-fuzz-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZEDGE_SANITIZE=address,undefined,fuzzer-no-link -DZEDGE_BUILD_FUZZERS=ON \
  -DZEDGE_BUILD_TESTS=OFF
cmake --build "$build_dir" --target zedge_fuzzers --parallel "$(nproc)"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(cd "$root/tests/fuzz" && ls *_fuzzer.cpp | sed 's/\.cpp$//'))
fi

supp="$root/tests/fuzz/sanitizer-suppressions"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"

work="$build_dir/fuzz-work"
rm -rf "$work/crashes" "$work/status"
mkdir -p "$work/logs" "$work/status"

# One target: fuzz it, then record pass/fail in $work/status/<target>.
fuzz_one() {
  local t="$1"
  local regressions="$root/tests/fuzz/regressions/$t"
  mkdir -p "$work/corpus/$t" "$work/crashes/$t" "$regressions"
  # -rss_limit_mb/-malloc_limit_mb: a parser allocating without bound is a finding too.
  # New inputs go to the first corpus dir (work); the seeds and regressions are only read.
  if "$build_dir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$work/crashes/$t/" \
      "$work/corpus/$t" "$root/tests/fuzz/corpus/$t" "$regressions" \
      > "$work/logs/$t.log" 2>&1; then
    echo "fuzz.sh: $t ok, $(grep -m1 '^stat::number_of_executed_units' "$work/logs/$t.log" | awk '{print $2}') runs"
    echo ok > "$work/status/$t"
  else
    {
      echo "fuzz.sh: $t FAILED; log: $work/logs/$t.log"
      grep -E "ERROR|runtime error|fuzz check failed|SUMMARY" "$work/logs/$t.log" | head -5 || true
      for crash in "$work/crashes/$t"/*; do
        [ -f "$crash" ] || continue
        # A kept regression that fails again is reported, not copied a second time.
        local known=""
        for kept in "$regressions"/*; do
          if [ -f "$kept" ] && cmp -s "$crash" "$kept"; then known="$kept"; fi
        done
        if [ -n "$known" ]; then
          echo "fuzz.sh: fails on tests/fuzz/regressions/$t/$(basename "$known")"
        else
          cp "$crash" "$regressions/"
          echo "fuzz.sh: kept $(basename "$crash") in tests/fuzz/regressions/$t/"
        fi
      done
    } >&2
    echo failed > "$work/status/$t"
  fi
}

# As many targets at once as there are cores (libFuzzer itself runs one thread).
jobs_max="$(nproc)"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  echo "fuzz.sh: $t for ${seconds}s"
  fuzz_one "$t" &
done
wait

failed=()
for t in "${targets[@]}"; do
  [ "$(cat "$work/status/$t" 2>/dev/null)" = ok ] || failed+=("$t")
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${seconds}s each, no crash"
