#!/usr/bin/env bash
# Builds the chart renderer offline from Debian's Go packages: GOPATH mode over
# /usr/share/gocode, plus a private GOPATH whose two symlinks map the /v3 import paths of
# sprig and semver (modules) onto Debian's unversioned directories.
# Usage: tests/chart/render/build.sh OUT_DIR    (writes OUT_DIR/render)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
gocode=/usr/share/gocode/src
for p in sprig semver; do
  mkdir -p "$out/gopath/src/github.com/Masterminds/$p"
  ln -sfn "$gocode/github.com/Masterminds/$p" "$out/gopath/src/github.com/Masterminds/$p/v3"
done
cd "$here"
GO111MODULE=off GOFLAGS= GOPROXY=off GOPATH="$out/gopath:/usr/share/gocode" \
  GOCACHE="$out/gocache" go build -o "$out/render" .
