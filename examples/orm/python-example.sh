#!/usr/bin/env bash
# examples/orm/python-example.sh DIR MODULE PACKAGE SCRIPT -- what the Python
# ORM examples' run.sh do: install the Debian PACKAGE when Debian's
# /usr/bin/python3 (which can load extensions) cannot import MODULE (as
# root), find the extension through $SOFTDELETE_LIB (default: the
# repository's softdelete.so, built with make when absent), and run
# DIR/SCRIPT on a database in a temporary directory. SCRIPT prints one line,
# "<name>: N passed, 0 failed"; the exit status is non-zero on the first
# failed check.
set -euo pipefail

here=$(cd "${1:?usage: python-example.sh DIR MODULE PACKAGE SCRIPT}" && pwd)
module=$2
packages=("$3")
script=$4
repo=$(cd "$here/../../.." && pwd)
py=/usr/bin/python3

if ! { [ -x "$py" ] && "$py" -c "import $module" 2>/dev/null; }; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: missing Debian packages; install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y python3 ${packages[*]}" >&2
        exit 1
    fi
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3 "${packages[@]}"; } >&2
fi
if ! "$py" -c 'import sqlite3; sqlite3.Connection.enable_load_extension' 2>/dev/null; then
    echo "run.sh: $py cannot load SQLite extensions (no enable_load_extension)" >&2
    exit 1
fi

if [ -z "${SOFTDELETE_LIB:-}" ]; then
    SOFTDELETE_LIB=$repo/softdelete.so
    [ -f "$SOFTDELETE_LIB" ] || make -C "$repo" >&2
fi
[ -f "$SOFTDELETE_LIB" ] || { echo "run.sh: no extension at $SOFTDELETE_LIB" >&2; exit 1; }
SOFTDELETE_LIB=$(cd "$(dirname "$SOFTDELETE_LIB")" && pwd)/$(basename "$SOFTDELETE_LIB")
export SOFTDELETE_LIB

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$py" -B "$here/$script" "$tmp"
