#!/bin/sh
# bench/callgrind.sh BENCH LIB [WORKLOAD ...] -- instruction counts per
# operation of each workload on the view and the vtab target, and their
# ratio, with valgrind --tool=callgrind (repeatable, whatever else the
# machine is doing). BENCH is the bench program (build/bench, or one built
# against another SQLite), LIB the extension. Workloads default to all.
# BENCH_OPTS in the environment: more options for BENCH (--live0).
set -eu
bench=${1:?usage: callgrind.sh BENCH LIB [WORKLOAD ...]}
lib=${2:?usage: callgrind.sh BENCH LIB [WORKLOAD ...]}
shift 2
case $bench in /*) ;; *) bench=$(pwd)/$bench ;; esac
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
works=${*:-point_id point_slug alternate by_author scan_agg page join trash_author trash_scan insert update soft_delete cascade}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions per operation of workload $1 on target $2
per_op() {
  out=$(cd "$tmp" && valgrind --tool=callgrind --toggle-collect=bench_ops \
        --callgrind-out-file="$tmp/cg.out" "$bench" "$lib" --callgrind \
        ${BENCH_OPTS:-} --only "$1" --target "$2" 2>/dev/null)
  ops=$(echo "$out" | sed -n 's/^callgrind: .*, \([0-9]*\) ops,.*/\1/p')
  total=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$tmp/cg.out")
  [ -n "$ops" ] && [ -n "$total" ] || { echo "callgrind.sh: $1 on $2 failed" >&2; exit 1; }
  echo $((total / ops))
}

v=$("$bench" "$lib" --version 2>/dev/null || true)
printf 'callgrind, instructions per operation%s\n' "${v:+ (SQLite $v)}"
printf '%-12s %10s %10s %10s %8s\n' workload base view vtab vtab/view
for w in $works; do
  b=$(per_op "$w" base)
  vw=$(per_op "$w" view)
  vt=$(per_op "$w" vtab)
  awk -v w="$w" -v b="$b" -v vw="$vw" -v vt="$vt" \
    'BEGIN { printf "%-12s %10d %10d %10d %8.2f\n", w, b, vw, vt, vt/vw }'
done
