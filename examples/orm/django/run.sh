#!/usr/bin/env bash
# examples/orm/django/run.sh -- softdelete through Django (Debian's
# python3-django, run by Debian's /usr/bin/python3, which can load
# extensions). Installs the package when it is missing (as root), finds the
# extension through $SOFTDELETE_LIB (default: the repository's softdelete.so,
# built with make when absent), and runs demo.py on a database in a
# temporary directory. Prints one line, "django: N passed, 0 failed";
# exits non-zero on the first failed check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
py=/usr/bin/python3
packages=(python3-django)

if ! { [ -x "$py" ] && "$py" -c 'import django' 2>/dev/null; }; then
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
PYTHONDONTWRITEBYTECODE=1 "$py" -B "$here/demo.py" "$tmp"
