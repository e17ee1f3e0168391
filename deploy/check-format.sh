#!/usr/bin/env bash
# Checks that the project's C++ files (pkg/, cmd/, tests/; not third_party/ nor build
# folders) are formatted as .clang-format says, with Debian 12's clang-format 14
# (deploy/install-deps.sh installs it). Lists the files that are not and exits 1.
# Usage: deploy/check-format.sh [--fix]   (--fix: reformat those files in place instead)
# CLANG_FORMAT names another binary; another major version may format differently.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  *) echo "usage: deploy/check-format.sh [--fix]" >&2; exit 2 ;;
esac

clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null; then
  echo "check-format.sh: $clang_format not found (deploy/install-deps.sh installs clang-format)" >&2
  exit 2
fi
version="$("$clang_format" --version)"
case "$version" in
  *"version 14."*) ;;
  *) echo "check-format.sh: warning: .clang-format is meant for clang-format 14, this is: $version" >&2 ;;
esac

# In a checkout, the files git tracks or would (so build folders and node_modules never
# count); otherwise every file below the three folders, build folders left out.
patterns=('*.cpp' '*.hpp' '*.cc' '*.h')
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  pathspecs=()
  for dir in pkg cmd tests; do
    for p in "${patterns[@]}"; do pathspecs+=("$dir/$p"); done
  done
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "${pathspecs[@]}" |
    sort -u | while IFS= read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t files < <(find pkg cmd tests -type d \( -name 'build*' -o -name node_modules \) -prune -o \
    -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.cc' -o -name '*.h' \) -print | sort)
fi
if [ "${#files[@]}" = 0 ]; then
  echo "check-format.sh: no C++ files found under pkg/, cmd/, tests/" >&2
  exit 2
fi

# A broken .clang-format would otherwise show as every file being unformatted.
"$clang_format" --style=file --dump-config "${files[0]}" >/dev/null

if [ "$fix" = 1 ]; then
  "$clang_format" --style=file -i "${files[@]}"
  echo "check-format.sh: formatted ${#files[@]} files"
  exit 0
fi

unformatted=()
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file --dry-run --Werror --ferror-limit=1 "$f" >/dev/null 2>&1; then
    unformatted+=("$f")
  fi
done
if [ "${#unformatted[@]}" != 0 ]; then
  echo "check-format.sh: ${#unformatted[@]} of ${#files[@]} C++ files are not formatted as .clang-format says:"
  printf '  %s\n' "${unformatted[@]}"
  echo "Run deploy/check-format.sh --fix (or: clang-format -i FILE), then review and commit."
  exit 1
fi
echo "check-format.sh: all ${#files[@]} C++ files are formatted"
