# test/fuzz/fuzz.mk -- the libFuzzer target over SQL (test/fuzz/fuzz.c); the
# Makefile includes this file.
#
#   make fuzz        long run: FUZZ_SECONDS (default 600) of mutation from
#                    the seeds and the corpus kept in build/fuzz/corpus;
#                    prints execs/s, coverage (cov, ft) and corpus size
#   make fuzz-quick  short run for make test: every seed once, then
#                    FUZZ_RUNS mutated inputs (seed 1, a fresh corpus);
#                    exits non-zero on a crash, leak, UBSan report or hang
#   make fuzz-build  only the target, build/fuzz/sd_fuzz
#   make fuzz-seeds  only the seed corpus, build/fuzz/seeds (from test/*.test)
#
# Reproduce a crash, printing each statement, its rows and errors:
#   SD_FUZZ_TRACE=1 build/fuzz/sd_fuzz build/fuzz/crash-<sha1>
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev), tclsh for
# the seeds (tcl) and, for readable stacks, llvm-symbolizer (Debian: llvm).
# fuzz-quick takes about a minute on two busy cores. Overrides: FUZZ_CC,
# FUZZ_SECONDS, FUZZ_RUNS, FUZZ_ARGS (more libFuzzer options).
# Artifacts (crash-*, leak-*, timeout-*) are written to build/fuzz/.
# One process, one job: the machine is shared.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_RUNS    ?= 3000
FUZZ_ARGS    ?=

FUZZ_DIR  := build/fuzz
FUZZ_BIN  := $(FUZZ_DIR)/sd_fuzz
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
# The extension's objects get coverage instrumentation but no main().
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra $(FUZZ_SAN) -DSQLITE_CORE \
               -DSD_VERSION='"fuzz"'
FUZZ_OBJ  := $(patsubst ext/%.c,$(FUZZ_DIR)/obj/%.o,$(wildcard ext/*.c))

# -timeout: an input that runs 10 s is a hang (the step budget keeps inputs
# to milliseconds). -max_len: SEED_MAX of seeds.tcl; longer inputs mostly
# repeat statements and slow every run down.
FUZZ_OPTS := -timeout=10 -max_len=6000 -dict=test/fuzz/sql.dict \
             -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(FUZZ_ARGS)
FUZZ_ENV  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: fuzz fuzz-quick fuzz-build fuzz-seeds

fuzz-build: $(FUZZ_BIN)

$(FUZZ_DIR)/obj/%.o: ext/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BIN): test/fuzz/fuzz.c $(FUZZ_OBJ)
	$(if $(FUZZ_OBJ),,$(error no C sources in ext/))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ test/fuzz/fuzz.c \
	  $(FUZZ_OBJ) -lsqlite3 -lm

-include $(FUZZ_OBJ:.o=.d)

fuzz-seeds: $(FUZZ_DIR)/seeds.stamp

$(FUZZ_DIR)/seeds.stamp: test/fuzz/seeds.tcl $(wildcard test/*.test)
	rm -rf $(FUZZ_DIR)/seeds
	$(TCLSH) test/fuzz/seeds.tcl $(FUZZ_DIR)/seeds
	@touch $@

# Corpus directories: the first one receives the new inputs.
fuzz: $(FUZZ_BIN) $(FUZZ_DIR)/seeds.stamp
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	  $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds $(wildcard test/fuzz/corpus)

# A fresh corpus and a fixed seed, so that every make test does the same.
fuzz-quick: $(FUZZ_BIN) $(FUZZ_DIR)/seeds.stamp
	rm -rf $(FUZZ_DIR)/quick && mkdir -p $(FUZZ_DIR)/quick
	$(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTS) -seed=1 -runs=$(FUZZ_RUNS) \
	  $(FUZZ_DIR)/quick $(FUZZ_DIR)/seeds $(wildcard test/fuzz/corpus)
