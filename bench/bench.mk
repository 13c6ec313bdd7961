# bench/bench.mk -- the benchmark targets; the Makefile includes this file
# after it defines LIB (prerequisites are expanded when the rule is read).
#
#   make bench         full run: in memory and on WAL files, then the scaling
#                      check (a few minutes)
#   make bench-quick   1/20 of the data, fewer operations and rounds (< 60 s)
#
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS='--only point_id,join'.
# The program links the system SQLite; the extension is loaded at run time.

BENCH_ARGS ?=

.PHONY: bench bench-quick

build/bench: bench/bench.c
	@mkdir -p build
	$(CC) -O2 -o build/bench bench/bench.c -lsqlite3 -lm

bench: $(LIB) build/bench
	build/bench '$(CURDIR)/$(LIB)' $(BENCH_ARGS)

bench-quick: $(LIB) build/bench
	build/bench '$(CURDIR)/$(LIB)' --quick $(BENCH_ARGS)
