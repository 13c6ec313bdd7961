#!/usr/bin/env bash
# examples/orm/node-example.sh DIR -- what every Node.js ORM example's run.sh
# does: installs what is missing (Debian packages; the npm packages pinned by
# DIR/package-lock.json, into DIR/node_modules), builds the extension if
# needed, then runs DIR/main.js against a database in a temporary folder.
# main.js prints one summary line ("<name>: N passed, N failed"); the exit
# status is non-zero on any failed check.
set -euo pipefail

here=$(cd "${1:?usage: node-example.sh EXAMPLE_DIR}" && pwd)
name=$(basename "$here")
repo=$(cd "$here/../../.." && pwd)

# The extension: $SOFTDELETE_LIB, or the repository's build (made if absent).
build_lib=
if [ -z "${SOFTDELETE_LIB:-}" ]; then
    SOFTDELETE_LIB=$repo/softdelete.so
    [ -f "$SOFTDELETE_LIB" ] || build_lib=1
fi

# Debian packages, only if missing: Node.js and npm, what npm needs to
# compile the native driver from source (this machine cannot download
# prebuilt binaries), and gcc and SQLite's headers to build the extension.
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ -n "$build_lib" ]; then
    command -v gcc >/dev/null 2>&1 || missing+=(gcc)
    [ -f /usr/include/sqlite3ext.h ] || missing+=(libsqlite3-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "$name: missing ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "$name: installing ${missing[*]}" >&2
    apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
fi

if [ -n "$build_lib" ]; then
    make -C "$repo" >&2
fi
[ -f "$SOFTDELETE_LIB" ] || { echo "$name: no extension at $SOFTDELETE_LIB" >&2; exit 1; }
export SOFTDELETE_LIB

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sd-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# npm packages, pinned by package-lock.json, into this folder's node_modules.
# node-gyp uses the installed Node.js headers instead of downloading them.
cd "$here"
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    if ! npm_config_build_from_source=true npm ci --no-audit --no-fund >"$tmp/npm.log" 2>&1; then
        cat "$tmp/npm.log" >&2
        echo "$name: npm ci failed" >&2
        exit 1
    fi
fi

SD_DB="$tmp/app.db" node main.js
