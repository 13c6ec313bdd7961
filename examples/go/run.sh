#!/usr/bin/env bash
# examples/go/run.sh -- build and run main.go offline: GOPATH mode over
# Debian's golang-go and golang-github-mattn-go-sqlite3-dev (whose driver
# links the system SQLite: build tag libsqlite3). SOFTDELETE_LIB: the
# extension (default: the repository's softdelete.so, built if missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
need=()
command -v go >/dev/null || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/mattn/go-sqlite3 ] || need+=(golang-github-mattn-go-sqlite3-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
lib=${SOFTDELETE_LIB:-$repo/softdelete}
lib=${lib%.so}
[ -e "$lib.so" ] || make -s -C "$repo" loadable
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/gopath/src/example"
cp "$here/main.go" "$tmp/gopath/src/example/"
(cd "$tmp/gopath/src/example" &&
  GO111MODULE=off GOPATH="$tmp/gopath:/usr/share/gocode" \
  GOCACHE="$tmp/cache" GOPROXY=off CGO_ENABLED=1 \
  go build -tags libsqlite3 -o "$tmp/example" .)
SOFTDELETE_LIB="$lib" "$tmp/example" "$tmp/app.db"
