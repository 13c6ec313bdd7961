# test/stress.mk -- reliability suites (GNU make fragment, -include'd by the
# Makefile). The programs compile ext/*.c in with -DSQLITE_CORE and link the
# system SQLite; they register the extension with sqlite3_auto_extension().
#
#   make crash               writer killed 2000 times (WAL and rollback journal)
#   make crash-quick         the same, 100 kills, for make test
#   make concurrency         4 writers x 20000 operations + a reader, WAL;
#                            then 4 x 5000 with a rollback journal
#   make concurrency-quick   4 writers x 1500 operations + a reader (WAL),
#                            then 4 x 500 with a rollback journal
#
# Overrides: STRESS_SEED=N (default: a time-based seed, printed first; the
# Makefile's SEED belongs to fuzz-diff), CRASH_KILLS, CONC_PROCS, CONC_OPS,
# CONC_RBJ_OPS, STRESS_DIR (the databases; default build/stress),
# STRESS_EXTDIR (the extension's sources; default ext). A failure prints the
# seed to rerun with. The programs' own options: see the header comments of
# test/crash.c and test/concurrency.c.

STRESS_SAVED_GOAL := $(.DEFAULT_GOAL)

STRESS_EXTDIR ?= ext
STRESS_EXT    := $(wildcard $(STRESS_EXTDIR)/*.c)
STRESS_EXTOBJ := $(STRESS_EXT:$(STRESS_EXTDIR)/%.c=build/stress/%.o)
STRESS_CFLAGS  = -std=c11 -Wall -Wextra -O2 -g -DSQLITE_CORE -DSD_VERSION='"test"' \
                 $(CPPFLAGS)
STRESS_LIBS    = -lsqlite3 -lm
STRESS_DIR    ?= build/stress
STRESS_SEEDOPT = $(if $(STRESS_SEED),--seed $(STRESS_SEED))
CRASH_KILLS   ?= 2000
CONC_PROCS    ?= 4
CONC_OPS      ?= 20000
CONC_RBJ_OPS  ?= 5000

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
	build/crash --kills $(CRASH_KILLS) --dir $(STRESS_DIR) --timeout 290 $(STRESS_SEEDOPT)

crash-quick: build/crash
	build/crash --kills 100 --dir $(STRESS_DIR) --timeout 60 $(STRESS_SEEDOPT)

concurrency: build/concurrency
	build/concurrency --procs $(CONC_PROCS) --ops $(CONC_OPS) --dir $(STRESS_DIR) \
	  --timeout 290 $(STRESS_SEEDOPT)
	build/concurrency --procs $(CONC_PROCS) --ops $(CONC_RBJ_OPS) --journal delete \
	  --dir $(STRESS_DIR) --timeout 120 $(STRESS_SEEDOPT)

concurrency-quick: build/concurrency
	build/concurrency --procs 4 --ops 1500 --dir $(STRESS_DIR) --timeout 60 \
	  $(STRESS_SEEDOPT)
	build/concurrency --procs 4 --ops 500 --journal delete --dir $(STRESS_DIR) \
	  --timeout 60 $(STRESS_SEEDOPT)

# Included before the Makefile's first target, this file must not become
# the default goal.
.DEFAULT_GOAL := $(STRESS_SAVED_GOAL)
