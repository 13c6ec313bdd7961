#!/bin/sh
# scripts/fuzz-diff.sh [SECONDS [SEED]] -- run the differential tester
# (test/difftest.tcl) for SECONDS seconds (default 300), seeds SEED, SEED+1,
# ... (default: a seed taken from the clock, printed so the run can be
# repeated). Each seed reads, through the same random queries, the live
# table, a trash table (show=deleted) or a show=all table, as the seed
# modulo 3 chooses (see SD_DIFF_MODE). At the first difference between the
# softdelete table and its plain twin it prints the seed, its mode, the
# query and a replay script, and exits 1; at the end, how many queries each
# mode compared.
#
# Environment:
#   SOFTDELETE_LIB  the extension to test (default: softdelete.so, .dylib or
#                   .dll in the repository root)
#   TCLSH           the Tcl shell (default: tclsh)
#   SD_DIFF_SKIP    query shapes to leave out, for known differences (see
#                   the header of test/difftest.tcl); default: the
#                   tester's (defaults vecin); "none" for none
#   SD_DIFF_QUERIES queries per seed (default 50)
#   SD_DIFF_MODE    live, deleted or all: every seed in that mode; mix (the
#                   default): the seed modulo 3 chooses
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
seed=${2:-}
TCLSH=${TCLSH:-tclsh}

case $seconds in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS [SEED]]: SECONDS must be a number" >&2; exit 2 ;;
esac
if [ -z "$seed" ]; then
    # Far from the small seeds test/diff.test runs.
    seed=$(( $(date +%s) % 1000000000 + 1000 ))
fi
case $seed in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS [SEED]]: SEED must be a number" >&2; exit 2 ;;
esac

if [ -z "${SOFTDELETE_LIB:-}" ]; then
    for ext in so dylib dll; do
        if [ -f "$root/softdelete.$ext" ]; then SOFTDELETE_LIB=$root/softdelete.$ext; break; fi
    done
fi
if [ -z "${SOFTDELETE_LIB:-}" ] || [ ! -f "$SOFTDELETE_LIB" ]; then
    echo "$0: no extension to test: build it (make) or set SOFTDELETE_LIB" >&2
    exit 2
fi

mode=${SD_DIFF_MODE:-mix}
case $mode in
    live|deleted|all|mix) ;;
    *) echo "$0: SD_DIFF_MODE must be live, deleted, all or mix, not '$mode'" >&2; exit 2 ;;
esac

echo "fuzz-diff: $seconds s from seed $seed, mode $mode, library $SOFTDELETE_LIB"
exec $TCLSH "$root/test/difftest.tcl" -lib "$SOFTDELETE_LIB" \
    -seconds "$seconds" -seed "$seed" -queries "${SD_DIFF_QUERIES:-50}" -mode "$mode"
