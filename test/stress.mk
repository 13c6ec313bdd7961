# test/stress.mk -- reliability suites (GNU make fragment, -include'd by the
# Makefile). The programs compile ext/*.c in with -DSQLITE_CORE and link the
# system SQLite; they register the extension with sqlite3_auto_extension().
#
#   make crash               writer killed 600 times (WAL and rollback journal)
#   make crash-quick         the same, 30 kills, for make test
#   make concurrency         4 writers x 5000 operations + a reader, WAL
#   make concurrency-quick   4 writers x 300 operations + a reader
#
# Overrides: SEED=N (default: time-based, printed), CRASH_KILLS, CONC_PROCS,
# CONC_OPS, STRESS_DIR (databases; default build/stress), STRESS_EXTDIR (the
# extension's sources; default ext).

STRESS_SAVED_GOAL := $(.DEFAULT_GOAL)

STRESS_EXTDIR ?= ext
STRESS_EXT    := $(wildcard $(STRESS_EXTDIR)/*.c)
STRESS_EXTOBJ := $(STRESS_EXT:$(STRESS_EXTDIR)/%.c=build/stress/%.o)
STRESS_CFLAGS  = -std=c11 -Wall -Wextra -O2 -g -DSQLITE_CORE -DSD_VERSION='"test"' \
                 $(CPPFLAGS)
STRESS_LIBS    = -lsqlite3 -lm
STRESS_DIR    ?= build/stress
STRESS_SEED    = $(if $(SEED),--seed $(SEED))
CRASH_KILLS   ?= 600
CONC_PROCS    ?= 4
CONC_OPS      ?= 5000

.PHONY: crash crash-quick concurrency concurrency-quick

build/stress/%.o: $(STRESS_EXTDIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(STRESS_CFLAGS) -MMD -MP -c -o $@ $<

build/stress/mixed.o: test/mixed.c test/mixed.h
	@mkdir -p $(@D)
	$(CC) $(STRESS_CFLAGS) -c -o $@ test/mixed.c

build/crash: test/crash.c test/mixed.h build/stress/mixed.o $(STRESS_EXTOBJ)
	$(CC) $(STRESS_CFLAGS) -o $@ test/crash.c build/stress/mixed.o \
	  $(STRESS_EXTOBJ) $(STRESS_LIBS)

build/concurrency: test/concurrency.c test/mixed.h build/stress/mixed.o $(STRESS_EXTOBJ)
	$(CC) $(STRESS_CFLAGS) -o $@ test/concurrency.c build/stress/mixed.o \
	  $(STRESS_EXTOBJ) $(STRESS_LIBS)

-include $(STRESS_EXTOBJ:.o=.d)

crash: build/crash
	build/crash --kills $(CRASH_KILLS) --dir $(STRESS_DIR) --timeout 290 $(STRESS_SEED)

crash-quick: build/crash
	build/crash --kills 30 --dir $(STRESS_DIR) --timeout 60 $(STRESS_SEED)

concurrency: build/concurrency
	build/concurrency --procs $(CONC_PROCS) --ops $(CONC_OPS) --dir $(STRESS_DIR) \
	  --timeout 290 $(STRESS_SEED)

concurrency-quick: build/concurrency
	build/concurrency --procs 4 --ops 300 --dir $(STRESS_DIR) --timeout 60 \
	  $(STRESS_SEED)

# Included before the Makefile's first target, this file must not become
# the default goal.
.DEFAULT_GOAL := $(STRESS_SAVED_GOAL)
