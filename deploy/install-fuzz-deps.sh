#!/usr/bin/env bash
# Installs what the libFuzzer build needs (deploy/fuzz.sh), from Debian 12 packages only:
# clang 14 and its compiler-rt (libFuzzer, ASan and UBSan runtimes). apt-get runs only when
# something is missing.
set -euo pipefail
source "$(dirname "$0")/apt-install-missing.sh"
apt_install_missing install-fuzz-deps clang clang-14 libclang-rt-14-dev llvm
