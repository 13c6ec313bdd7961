#!/usr/bin/env bash
# examples/dqlite/run.sh -- softdelete on a 3-node dqlite cluster (make dqlite).
#
# Builds sd-node (sd-node.c + libdqlite + the static libsoftdelete.a; and
# bare-node, the same without the extension, for one check) and the
# Go checker (check/main.go, GOPATH mode, offline, over Debian's go-dqlite and
# go-sqlite3 sources), installs the Debian packages they need when missing,
# and runs the checker, which starts the nodes on 127.0.0.1, kills the leader
# and restarts it. Everything lives in a temporary directory, removed at the
# end; the whole run is bounded by `timeout` (DQLITE_TIMEOUT, default 240 s).
# DQLITE_LATENCY_MS: the nodes' network latency setting (default 20);
# DQLITE_KEEP=1 keeps the temporary directory (the nodes' data and logs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

need=()
command -v go >/dev/null || need+=(golang-go)
command -v pkg-config >/dev/null || need+=(pkg-config)
dpkg -s libdqlite-dev >/dev/null 2>&1 || need+=(libdqlite-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
[ -d /usr/share/gocode/src/github.com/canonical/go-dqlite ] ||
  need+=(golang-github-canonical-go-dqlite-dev)
[ -d /usr/share/gocode/src/github.com/mattn/go-sqlite3 ] ||
  need+=(golang-github-mattn-go-sqlite3-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "dqlite: missing ${need[*]}; install them with:" >&2
    echo "  sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "dqlite: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi

make -s -C "$repo" static
tmp=$(mktemp -d)
[ -n "${DQLITE_KEEP:-}" ] && echo "dqlite: keeping $tmp" || trap 'rm -rf "$tmp"' EXIT

node() {   # node NAME [CFLAGS...]
  local name=$1; shift
  cc -std=c11 -Wall -Wextra -Werror -O2 -D_POSIX_C_SOURCE=200809L "$@" \
    -o "$tmp/$name" "$here/sd-node.c" "$repo/libsoftdelete.a" \
    $(pkg-config --cflags --libs dqlite) -lsqlite3
}
node sd-node
node bare-node -DSD_NODE_WITHOUT_SOFTDELETE   # shows a voter without the module

mkdir -p "$tmp/gopath/src/sdcheck"
cp "$here/check/main.go" "$tmp/gopath/src/sdcheck/"
(cd "$tmp/gopath/src/sdcheck" &&
  GO111MODULE=off GOPATH="$tmp/gopath:/usr/share/gocode" GOFLAGS= \
  GOCACHE="${DQLITE_GOCACHE:-$tmp/cache}" GOPROXY=off CGO_ENABLED=1 \
  go build -tags libsqlite3 -o "$tmp/check" .)

mkdir -p "$tmp/data"
# The checker fails by itself 15 s before the limit (with the nodes' logs);
# the nodes die with it (Pdeathsig).
limit=${DQLITE_TIMEOUT:-240}
timeout -k 10 "$limit" \
  "$tmp/check" -node "$tmp/sd-node" -bare "$tmp/bare-node" -dir "$tmp/data" \
  -latency "${DQLITE_LATENCY_MS:-20}" -timeout "$((limit > 30 ? limit - 15 : limit / 2))s" &
checker=$!
trap 'kill $checker 2>/dev/null; wait $checker 2>/dev/null; exit 130' INT TERM
wait $checker
