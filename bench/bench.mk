# bench/bench.mk -- the benchmark targets; the Makefile includes this file
# after it defines LIB (prerequisites are expanded when the rule is read).
#
#   make bench         full run: in memory and on WAL files, the scaling
#                      check, the memory of many tables, sd_operations over
#                      200,000 deleted rows and the undo of one operation,
#                      then the same reads through Python's sqlite3 module
#                      and better-sqlite3 (bench/clients; about 10 minutes)
#   make bench-quick   1/20 of the data, fewer operations and rounds (< 2 min)
#   make bench-clients the client benchmarks alone
#   make bench-callgrind  instructions per operation under callgrind, on the
#                      system SQLite and on 3.52.0 (repeatable on a busy
#                      machine; about 10 minutes)
#
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS='--only point_id,join'.
# The program links the system SQLite; the extension is loaded at run time.

BENCH_ARGS ?=

.PHONY: bench bench-quick bench-callgrind bench-clients

build/bench: bench/bench.c
	@mkdir -p build
	$(CC) -O2 -o build/bench bench/bench.c -lsqlite3 -lm

bench: $(LIB) build/bench
	@sh scripts/deps.sh bench
	build/bench '$(CURDIR)/$(LIB)' $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-clients

bench-quick: $(LIB) build/bench
	@sh scripts/deps.sh bench
	build/bench '$(CURDIR)/$(LIB)' --quick $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-clients CLIENT_ARGS=--quick

# The client benchmarks (bench/clients): Debian's python3, whose sqlite3
# module can load extensions, and better-sqlite3 12 (the line for Node.js
# 20), installed from the npm registry into build/clients.
CLIENT_ARGS ?=
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
CLIENTS = build/clients

$(CLIENTS)/node_modules/better-sqlite3/package.json:
	@sh scripts/deps.sh bench
	@mkdir -p $(CLIENTS)
	@[ -f $(CLIENTS)/package.json ] || echo '{ "private": true }' > $(CLIENTS)/package.json
	cd $(CLIENTS) && npm install --no-audit --no-fund better-sqlite3@12

bench-clients: $(LIB) $(CLIENTS)/node_modules/better-sqlite3/package.json
	$(PYTHON) bench/clients/python.py '$(CURDIR)/$(LIB)' $(CLIENT_ARGS)
	NODE_PATH='$(CURDIR)/$(CLIENTS)/node_modules' node bench/clients/node.js \
	  '$(CURDIR)/$(LIB)' $(CLIENT_ARGS)

# The same program linked into SQLite 3.52.0's amalgamation, which
# scripts/compat.sh keeps in build/compat/3520000.
build/bench-3.52.0: bench/bench.c
	@[ -f build/compat/3520000/sqlite3.c ] || $(MAKE) --no-print-directory compat
	$(CC) -O2 -DSQLITE_THREADSAFE=1 -Ibuild/compat/3520000 -o $@ bench/bench.c \
	    build/compat/3520000/sqlite3.c -ldl -lm -lpthread

bench-callgrind: $(LIB) build/bench build/bench-3.52.0
	@sh scripts/deps.sh bench
	sh bench/callgrind.sh build/bench $(LIB) $(CALLGRIND_WORKLOADS)
	sh bench/callgrind.sh build/bench-3.52.0 $(LIB) $(CALLGRIND_WORKLOADS)
