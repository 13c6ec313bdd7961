# bench/bench.mk -- the benchmark targets; the Makefile includes this file
# after it defines LIB (prerequisites are expanded when the rule is read).
#
#   make bench         full run: in memory and on WAL files, then the scaling
#                      check (a few minutes)
#   make bench-quick   1/20 of the data, fewer operations and rounds (< 60 s)
#   make bench-callgrind  instructions per operation under callgrind, on the
#                      system SQLite and on 3.52.0 (repeatable on a busy
#                      machine; about 10 minutes)
#
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS='--only point_id,join'.
# The program links the system SQLite; the extension is loaded at run time.

BENCH_ARGS ?=

.PHONY: bench bench-quick bench-callgrind

build/bench: bench/bench.c
	@mkdir -p build
	$(CC) -O2 -o build/bench bench/bench.c -lsqlite3 -lm

bench: $(LIB) build/bench
	build/bench '$(CURDIR)/$(LIB)' $(BENCH_ARGS)

bench-quick: $(LIB) build/bench
	build/bench '$(CURDIR)/$(LIB)' --quick $(BENCH_ARGS)

# The same program linked into SQLite 3.52.0's amalgamation, which
# scripts/compat.sh keeps in build/compat/3520000.
build/bench-3.52.0: bench/bench.c
	@[ -f build/compat/3520000/sqlite3.c ] || $(MAKE) --no-print-directory compat
	$(CC) -O2 -DSQLITE_THREADSAFE=1 -Ibuild/compat/3520000 -o $@ bench/bench.c \
	    build/compat/3520000/sqlite3.c -ldl -lm -lpthread

bench-callgrind: $(LIB) build/bench build/bench-3.52.0
	@sh scripts/deps.sh valgrind
	sh bench/callgrind.sh build/bench $(LIB) $(CALLGRIND_WORKLOADS)
	sh bench/callgrind.sh build/bench-3.52.0 $(LIB) $(CALLGRIND_WORKLOADS)
