#!/bin/sh
# scripts/deps.sh MODE -- make sure the Debian packages MODE needs are present.
#
#   MODE: build | test | fuzz | demo | valgrind | asan | bench
#
# Quiet when nothing is missing. Otherwise, as root with apt-get, installs the
# missing packages; as any other user, prints the exact command and exits 1.
# Honours CC, TCLSH and SQLITE3 from the environment (the Makefile passes them).
set -eu

CC=${CC:-cc}
TCLSH=${TCLSH:-tclsh}
SQLITE3=${SQLITE3:-sqlite3}
missing=""

need() { case " $missing " in *" $1 "*) ;; *) missing="${missing:+$missing }$1" ;; esac; }
have() { command -v "$1" >/dev/null 2>&1; }
first_word() { set -- $1; echo "$1"; }

check_build() {
    have "$(first_word "$CC")" || { need gcc; need libc6-dev; }
    [ -f /usr/include/sqlite3ext.h ] ||
        echo '#include <sqlite3ext.h>' | $CC -E -x c - >/dev/null 2>&1 ||
        need libsqlite3-dev
}

check_test() {
    check_build
    if ! have "$(first_word "$TCLSH")"; then
        need tcl; need libsqlite3-tcl
    elif [ "$(echo 'package require sqlite3; puts ok' | $TCLSH 2>/dev/null)" != ok ]; then
        need libsqlite3-tcl
    fi
    # scripts/compat.sh builds a Tcl binding of each older SQLite.
    [ -f /usr/include/tcl8.6/tcl.h ] || need tcl-dev
    # scripts/compat.sh downloads older SQLite sources (HTTPS needs CA certificates).
    if ! have curl && ! have wget; then need curl; need ca-certificates; fi
    [ -d /etc/ssl/certs ] && [ -n "$(ls /etc/ssl/certs 2>/dev/null)" ] || need ca-certificates
}

# The fuzz target: clang with libFuzzer and the sanitizer runtimes
# (libclang-rt-14-dev is only a recommendation of clang's), llvm-symbolizer
# for readable stacks.
check_fuzz() {
    have clang || need clang
    if have clang && ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){return 0;}' |
        clang -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1; then
        need libclang-rt-14-dev
    fi
    have clang || need libclang-rt-14-dev   # installed with clang below
    have llvm-symbolizer || need llvm
}

check_demo() {
    check_build
    have "$(first_word "$SQLITE3")" || need sqlite3
}

check_asan_rt() {
    # gcc's ASan/UBSan runtimes (libasan8, libubsan1) come with Debian's gcc.
    case "$(gcc -print-file-name=libasan.so 2>/dev/null)" in
        /*) ;;
        *) need gcc ;;
    esac
}

# make bench: valgrind for bench-callgrind; the client benchmarks need
# Debian's python3 (its sqlite3 module loads extensions), Node.js with npm,
# and what npm needs to build better-sqlite3 (a C++ compiler, make).
check_bench() {
    check_build
    have valgrind || need valgrind
    [ -x /usr/bin/python3 ] || need python3
    have node || need nodejs
    have npm || need npm
    have g++ || need g++
    have make || need make
}

check_asan() {
    check_test
    check_asan_rt
}

case "${1:-}" in
    build)    check_build ;;
    test)     check_test; check_fuzz; check_asan_rt ;;
    fuzz)     check_build; check_fuzz ;;
    demo)     check_demo ;;
    valgrind) check_test; have valgrind || need valgrind ;;
    asan)     check_asan ;;
    bench)    check_bench ;;
    *) echo "usage: $0 build|test|fuzz|demo|valgrind|asan|bench" >&2; exit 2 ;;
esac

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && have apt-get; then
    echo "deps.sh: installing $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends $missing
elif have apt-get; then
    echo "deps.sh: missing packages for '$1': $missing; install them with:" >&2
    echo "  sudo apt-get install -y $missing" >&2
    exit 1
else
    echo "deps.sh: missing for '$1' (Debian package names): $missing" >&2
    echo "  install the equivalents with your package manager" >&2
    exit 1
fi
