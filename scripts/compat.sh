#!/bin/sh
# scripts/compat.sh LIB -- run the extension inside older SQLite hosts.
#
# Builds sqlite3 shells from the SQLite sources that the npm registry's
# "sqlite3" package carries (deps/sqlite-autoconf-*.tar.gz), cached in
# build/compat, then:
#   3.30.1  loading must fail with the version error (SPEC 2: 3.31.0 minimum)
#   3.31.1  test/compat/core.sql must give test/compat/core.expected
#   3.39.2  the same (IN lists, LIMIT/OFFSET pushdown active)
#   3.52.0  the same
# and the differential tester (test/difftest.tcl, SD_COMPAT_SEEDS seeds from
# SD_COMPAT_SEED) inside each, through a Tcl binding of that version;
# and planner.sql (planner.expected) and hostile.sql (hostile.expected: a
# database file whose schema calls the sd_* functions) in each of them and
# in the system's sqlite3. CASE.VERSION.expected, where present, is the
# expected output of that version (3.52.0 refuses a CHECK constraint's
# DIRECTONLY call itself, in its own words).
# core.expected is the output of a current sqlite3 shell (3.40), normalised
# as below; regenerate it the same way after changing core.sql.
# Needs curl or wget and a C compiler; nothing is installed system-wide.
set -eu
LIB=${1:?usage: compat.sh path/to/softdelete.so}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${SD_COMPAT_CACHE:-$root/build/compat}
CC=${CC:-cc}
mkdir -p "$cache"

fetch() { # fetch URL FILE, with retries
  for i in 1 2 3; do
    if command -v curl >/dev/null 2>&1; then
      curl -fsSL -o "$2.part" "$1" && mv "$2.part" "$2" && return 0
    else
      wget -q -O "$2.part" "$1" && mv "$2.part" "$2" && return 0
    fi
    sleep 2
  done
  echo "compat: cannot download $1" >&2
  return 1
}

shell_for() { # shell_for NPMVERSION SQLITEVERSION -> path of a sqlite3 shell
  dir="$cache/$2"
  if [ ! -x "$dir/sqlite3" ]; then
    tgz="$cache/sqlite3-$1.tgz"
    [ -f "$tgz" ] || fetch "https://registry.npmjs.org/sqlite3/-/sqlite3-$1.tgz" "$tgz"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tgz" -C "$dir" "package/deps/sqlite-autoconf-$2.tar.gz"
    tar -xzf "$dir/package/deps/sqlite-autoconf-$2.tar.gz" -C "$dir"
    src="$dir/sqlite-autoconf-$2"
    $CC -O0 -w -DSQLITE_THREADSAFE=0 -DSQLITE_ENABLE_JSON1 -o "$dir/sqlite3" \
        "$src/shell.c" "$src/sqlite3.c" -ldl -lm
    # The Tcl binding of the same version, for the differential tester.
    $CC -O2 -w -shared -fPIC -DUSE_TCL_STUBS -DSQLITE_ENABLE_JSON1 \
        -I"$src" -I/usr/include/tcl8.6 -o "$dir/libtclsqlite3.so" \
        "$src/tea/generic/tclsqlite3.c" -ltclstub8.6 -lm
    # Kept for programs built against this version (bench/bench.mk).
    cp "$src/sqlite3.c" "$src/sqlite3.h" "$dir/"
    rm -rf "$dir/package" "$src"
  fi
  echo "$dir/sqlite3"
}

# Shells of different versions print errors differently: keep the message.
normalise() {
  sed -E 's/^(Runtime error|Parse error|Error:?) near line [0-9]+: //; s/ \([0-9]+\)$//'
}

fail=0
lib=${LIB%.so}; lib=${lib%.dylib}

# Too old: a clear error naming both versions.
sh=$(shell_for 4.1.1 3300100)
out=$("$sh" :memory: ".load $lib" 2>&1 || true)
want="softdelete: SQLite 3.31.0 or later is required; this program uses SQLite 3.30.1"
case "$out" in
  *"$want"*) echo "compat 3.30.1: load refused as expected" ;;
  *) echo "compat 3.30.1: FAILED: got: $out"; fail=1 ;;
esac

# core.sql: the extension end to end. planner.sql: queries whose handling
# depends on the host's version and build options, each compared with a
# plain table (these hosts are built without SQLITE_LIKE_DOESNT_MATCH_BLOBS;
# the system's SQLite runs planner.sql too, see the Makefile).
for spec in "4.2.0 3310100 3.31.1" "5.0.11 3390200 3.39.2" "6.0.1 3520000 3.52.0"; do
  set -- $spec
  sh=$(shell_for "$1" "$2")
  [ -f "$(dirname "$sh")/libtclsqlite3.so" ] && [ -f "$(dirname "$sh")/sqlite3.c" ] \
    || { rm -f "$sh"; sh=$(shell_for "$1" "$2"); }
  for case in core planner hostile; do
    got=$(cd "$cache" && sed "s|@LIB@|$lib|" "$root/test/compat/$case.sql" \
          | "$sh" 2>&1 | normalise || true)
    # A host whose own messages differ has its own expected output.
    want="$root/test/compat/$case.$3.expected"
    [ -f "$want" ] || want="$root/test/compat/$case.expected"
    if [ "$got" = "$(cat "$want")" ]; then
      echo "compat $3: $case.sql matches"
    else
      echo "compat $3: FAILED, $case.sql, diff (expected vs got):"
      echo "$got" | diff "$want" - || true
      fail=1
    fi
  done
  # The differential tester inside this version: a fixed range of seeds.
  if out=$(SD_TCL_SQLITE="$(dirname "$sh")/libtclsqlite3.so" \
           ${TCLSH:-tclsh} "$root/test/difftest.tcl" -lib "$LIB" \
           -seed "${SD_COMPAT_SEED:-1}" -seeds "${SD_COMPAT_SEEDS:-150}" 2>&1); then
    echo "compat $3: $(echo "$out" | tail -1)"
  else
    echo "compat $3: FAILED, difftest:"
    echo "$out" | tail -40
    fail=1
  fi
done

# The system's SQLite: Debian's is built with SQLITE_LIKE_DOESNT_MATCH_BLOBS.
sys=${SQLITE3:-sqlite3}
if command -v "$sys" >/dev/null 2>&1; then
  v=$("$sys" :memory: "SELECT sqlite_version()")
  for case in planner hostile; do
    got=$(cd "$cache" && sed "s|@LIB@|$lib|" "$root/test/compat/$case.sql" \
          | "$sys" 2>&1 | normalise || true)
    if [ "$got" = "$(cat "$root/test/compat/$case.expected")" ]; then
      echo "compat $v (system): $case.sql matches"
    else
      echo "compat $v (system): FAILED, $case.sql, diff (expected vs got):"
      echo "$got" | diff "$root/test/compat/$case.expected" - || true
      fail=1
    fi
  done
fi
exit $fail
