#!/usr/bin/env bash
# scripts/check-python-package.sh -- install the Python package
# (bindings/python) from this repository into a fresh venv, offline, and use
# it from a clean folder: a soft delete and a restore through
# softdelete.load(), then through the LD_PRELOAD shim with no loading at all.
#
# Needs nothing built beforehand. Installs missing Debian packages (as root
# with apt-get; otherwise prints the command and exits 1), like deps.sh.
# Uses Debian's /usr/bin/python3 (PYTHON=... to override): it can load
# extensions, which pyenv builds usually cannot. Prints one summary line;
# exits non-zero on failure. Leaves nothing behind: its temp folder, and the
# build/ and softdelete.egg-info/ that the in-place build makes in
# bindings/python (unless they were there before).
set -euo pipefail

PYTHON=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
repo=$(cd "$(dirname "$0")/.." && pwd)
pkg=$repo/bindings/python
me=check-python-package

missing=""
need() { case " $missing " in *" $1 "*) ;; *) missing="${missing:+$missing }$1" ;; esac; }
have() { command -v "$1" >/dev/null 2>&1; }
install_missing() {
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && have apt-get; then
        echo "$me: installing $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends $missing >/dev/null
        missing=""
    else
        echo "$me: missing Debian packages: $missing; install them with:" >&2
        echo "  sudo apt-get install -y $missing" >&2
        exit 1
    fi
}

# The venv module needs ensurepip (python3-venv); the build needs a C
# compiler, sqlite3ext.h and, for the shim, libsqlite3.so (libsqlite3-dev).
[ -x "$PYTHON" ] || need python3
{ [ -x "$PYTHON" ] && "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; } || need python3-venv
have "${CC%% *}" || { need gcc; need libc6-dev; }
{ have "${CC%% *}" && echo '#include <sqlite3ext.h>' | $CC -E -x c - >/dev/null 2>&1; } ||
    need libsqlite3-dev
[ -n "$(ls /usr/lib/*/libsqlite3.so /usr/lib/libsqlite3.so 2>/dev/null)" ] || need libsqlite3-dev
install_missing

# Clean up on any exit.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
leftovers=""
for d in build softdelete.egg-info; do
    [ -e "$pkg/$d" ] || leftovers="$leftovers $pkg/$d"
done
cleanup() {
    rm -rf "$tmp"
    [ -z "$leftovers" ] || rm -rf $leftovers
}
trap cleanup EXIT

fail() { echo "$me: FAILED: $*" >&2; exit 1; }

# A plain venv of Python 3.11 (Debian 12) has pip and setuptools; from 3.12
# on it has no setuptools: then use the system's (python3-setuptools).
venv=$tmp/venv
"$PYTHON" -m venv "$venv" || fail "$PYTHON -m venv"
how="plain venv"
if ! "$venv/bin/python" -c 'import setuptools' 2>/dev/null; then
    "$PYTHON" -c 'import setuptools' 2>/dev/null || need python3-setuptools
    install_missing
    rm -rf "$venv"
    "$PYTHON" -m venv --system-site-packages "$venv" || fail "$PYTHON -m venv"
    how="venv --system-site-packages"
fi

# Offline: no index, no build isolation (it would fetch setuptools).
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PYTHONPATH
if ! "$venv/bin/pip" install --no-build-isolation --no-index --no-cache-dir \
        "$pkg" >"$tmp/pip.log" 2>&1; then
    cat "$tmp/pip.log" >&2
    fail "pip install $pkg"
fi

mkdir "$tmp/run"
cat >"$tmp/check.py" <<'EOF'
import os, sqlite3, subprocess, sys
import softdelete

preloaded = sys.argv[1:] == ["preloaded"]
assert softdelete.__file__.startswith(os.environ["VENV"]), softdelete.__file__
path = softdelete.loadable_path()
assert os.path.isfile(path), path
env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
deps = subprocess.run(["ldd", path], env=env, capture_output=True,
                      text=True).stdout
assert "libpython" not in deps and "libsqlite3" not in deps, deps

c = sqlite3.connect(":memory:")
if not preloaded:
    softdelete.load(c)
c.executescript("""
    CREATE TABLE t_data(id INTEGER PRIMARY KEY, x);
    CREATE VIRTUAL TABLE t USING softdelete(t_data);
    INSERT INTO t(x) VALUES ('a');
    DELETE FROM t;
""")
rows = c.execute("SELECT id, x, deleted_at FROM t_data").fetchall()
assert len(rows) == 1 and rows[0][:2] == (1, "a") and rows[0][2] is not None, rows
assert c.execute("SELECT count(*) FROM t").fetchone()[0] == 0
assert c.execute("SELECT sd_restore('t', 1)").fetchone()[0] == 1
assert c.execute("SELECT id, x FROM t").fetchall() == [(1, "a")]
assert c.execute("SELECT deleted_at FROM t_data").fetchone()[0] is None
if not preloaded:
    try:                       # loading is switched off again
        c.execute("SELECT load_extension('x')")
        raise AssertionError("load_extension() still allowed")
    except sqlite3.OperationalError as e:
        assert "not authorized" in str(e), e
print("python %s, SQLite %s" % (sys.version.split()[0], sqlite3.sqlite_version))
EOF

cd "$tmp/run"
info=$(VENV="$venv" "$venv/bin/python" "$tmp/check.py") || fail "softdelete.load() check"
shim=$("$venv/bin/python" -m softdelete --preload) || fail "no LD_PRELOAD shim"
LD_PRELOAD=$shim VENV="$venv" "$venv/bin/python" "$tmp/check.py" preloaded >/dev/null ||
    fail "LD_PRELOAD=$shim check"

echo "$me: ok: softdelete $(cat "$repo/VERSION") installed offline with pip ($how, $info): soft delete and restore via load() and via LD_PRELOAD"
