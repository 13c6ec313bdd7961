# Makefile -- build and test the softdelete SQLite extension (GNU make).
#
#   make / make loadable  softdelete.so (.dylib on macOS, .dll on Windows) here
#   make static           libsoftdelete.a, built with -DSQLITE_CORE
#   make test             install missing Debian packages, build, check the
#                         static build and older SQLite hosts, the quick
#                         fault, crash, concurrency and fuzz runs, make
#                         install, the tarball, the packages, the ORM
#                         examples and the dqlite cluster, then the suite
#   make static-check     link test/static_host.c with libsoftdelete.a, run it
#   make compat           the extension inside SQLite 3.30.1, 3.31.1, 3.39.2,
#                         3.52.0 and the system's sqlite3
#   make fuzz-diff        differential tester, SECONDS=300 SEED=1
#   make faults           out-of-memory and I/O-error injection at every point
#                         (test/fault.c, ASan+UBSan build); faults-quick: a
#                         sample of the points, for make test
#   make crash            a writer killed at random moments (test/stress.mk)
#   make concurrency      processes writing at once with busy_timeout
#   make fuzz             libFuzzer over SQL (test/fuzz/fuzz.mk)
#   make bench            benchmark: vtab vs view vs base (bench/README.md)
#   make demo             run examples/quickstart.sql in the sqlite3 shell
#   make packages         install the Python and npm packages (bindings/)
#                         from the repository into clean folders and
#                         soft-delete through each
#   make orm              run every ORM example (examples/orm/*, examples/go)
#   make dqlite           a 3-node dqlite cluster on 127.0.0.1 with softdelete
#                         on every node: features, leader killed, failover
#                         timed, restarted node caught up (examples/dqlite)
#   make valgrind         the suite with every test file under valgrind
#   make asan             the suite against an ASan+UBSan build (build/asan/)
#   make windows          cross-compile build/softdelete.dll with MinGW-w64
#   make install          the library, stripped, into $(EXTDIR): a directory
#                         the system's loader searches, so that ".load
#                         softdelete" finds it by name; make uninstall
#   make install-check    install, load by name from another directory,
#                         uninstall (as root; skipped otherwise)
#   make dist             build/softdelete-$(VERSION).tar.gz; dist-check: it
#                         builds and benchmarks when unpacked
#   make clean
#
# Overrides: CC, CFLAGS, CPPFLAGS, SQLITE3, TCLSH, PREFIX, EXTDIR, DESTDIR, ASAN_CC,
# MINGW_CC, TESTS="basic.test cascade.test" (subset for test/valgrind/asan).

VERSION  := $(shell cat VERSION)
SQLITE3  ?= sqlite3
TCLSH    ?= tclsh
PREFIX   ?= /usr/local
ASAN_CC  ?= gcc
MINGW_CC ?= x86_64-w64-mingw32-gcc
SQLITE_INCDIR ?= /usr/include

SRC := $(wildcard ext/*.c)
OBJ        := $(SRC:ext/%.c=build/%.o)
STATIC_OBJ := $(SRC:ext/%.c=build/static/%.o)
ASAN_OBJ   := $(SRC:ext/%.c=build/asan/%.o)

CFLAGS ?= -O2 -g
SD_CFLAGS = -std=c11 -Wall -Wextra $(CPPFLAGS) $(CFLAGS) -DSD_VERSION='"$(VERSION)"'
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all

ifeq ($(OS),Windows_NT)
  LIB    := softdelete.dll
  PIC    :=
  SHARED := -shared softdelete.def
else ifeq ($(shell uname -s),Darwin)
  LIB    := softdelete.dylib
  PIC    := -fPIC
  SHARED := -dynamiclib
else
  LIB    := softdelete.so
  PIC    := -fPIC
  SHARED := -shared -Wl,-z,defs # undefined symbols fail the link, not the load
endif

DEPS = CC='$(CC)' TCLSH='$(TCLSH)' SQLITE3='$(SQLITE3)' scripts/deps.sh
RUN_SUITE = $(TCLSH) test/all.tcl $(TESTS)

.PHONY: all loadable static static-check compat fuzz-diff test demo valgrind \
        asan windows install uninstall install-check dist dist-check clean \
        faults faults-quick packages orm dqlite

all loadable: $(LIB)

static: libsoftdelete.a

# Never -lsqlite3: the extension reaches SQLite only via sqlite3_api.
$(LIB): $(OBJ)
	$(if $(SRC),,$(error no C sources in ext/))
	$(CC) $(SHARED) $(LDFLAGS) -o $@ $(OBJ)

libsoftdelete.a: $(STATIC_OBJ)
	$(if $(SRC),,$(error no C sources in ext/))
	$(AR) rcs $@ $^

build/asan/softdelete.so: $(ASAN_OBJ)
	$(ASAN_CC) -shared $(ASAN_FLAGS) -o $@ $^

# Hidden visibility: the loadable library exports sqlite3_softdelete_init
# alone (see ext/softdelete.c).
build/%.o: ext/%.c VERSION | build/.headers
	$(CC) $(SD_CFLAGS) $(PIC) $(if $(PIC),-fvisibility=hidden) -MMD -MP -c -o $@ $<

build/static/%.o: ext/%.c VERSION | build/.headers
	@mkdir -p $(@D)
	$(CC) $(SD_CFLAGS) $(PIC) -DSQLITE_CORE -MMD -MP -c -o $@ $<

build/asan/%.o: ext/%.c VERSION | build/.headers
	@mkdir -p $(@D)
	$(ASAN_CC) $(SD_CFLAGS) -fPIC $(ASAN_FLAGS) -MMD -MP -c -o $@ $<

# Checked once per clean tree, so a normal build never runs apt or deps.sh.
build/.headers:
	@mkdir -p build
	@echo '#include <sqlite3ext.h>' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 \
	  || $(DEPS) build
	@touch $@

-include $(OBJ:.o=.d) $(STATIC_OBJ:.o=.d) $(ASAN_OBJ:.o=.d)

# The suite runs last so that its "N passed, N failed" line ends the output.
test:
	$(DEPS) test
	$(MAKE) --no-print-directory loadable static-check compat
	$(MAKE) --no-print-directory faults-quick crash-quick concurrency-quick \
	  fuzz-quick
	$(MAKE) --no-print-directory install-check dist-check packages orm dqlite
	SOFTDELETE_LIB='$(CURDIR)/$(LIB)' $(RUN_SUITE)

# softdelete on a 3-node dqlite cluster on 127.0.0.1: features through
# go-dqlite, the leader killed, the failover timed, the old node restarted
# (examples/dqlite/run.sh; installs libdqlite-dev and Debian's Go sources).
dqlite: libsoftdelete.a
	bash examples/dqlite/run.sh

# A program that links SQLite and the extension statically (SQLITE_CORE) and
# registers it with sqlite3_auto_extension().
static-check: libsoftdelete.a
	$(CC) $(SD_CFLAGS) -o build/static_host test/static_host.c libsoftdelete.a \
	  -lsqlite3 -lm
	build/static_host

# Older hosts: SQLite sources come from the npm registry's sqlite3 package.
compat: $(LIB)
	CC='$(CC)' SQLITE3='$(SQLITE3)' scripts/compat.sh '$(CURDIR)/$(LIB)'

SECONDS ?= 300
SEED ?= 1
# Left out: differences by design or by the host (README, Choices and limits).
SD_DIFF_SKIP ?= defaults vecin
fuzz-diff: $(LIB)
	SD_DIFF_SKIP="$(SD_DIFF_SKIP)" SOFTDELETE_LIB='$(CURDIR)/$(LIB)' scripts/fuzz-diff.sh $(SECONDS) $(SEED)

# Packages and ORM examples (SPEC 19). Each script installs what it needs
# (Debian packages, pinned npm packages into its own folder) and prints one
# summary line.
packages:
	scripts/check-python-package.sh
	scripts/check-node-package.sh

ORM_EXAMPLES = $(sort $(wildcard examples/orm/*/run.sh)) examples/go/run.sh
orm: $(LIB)
	@set -e; for x in $(ORM_EXAMPLES); do \
	  SOFTDELETE_LIB='$(CURDIR)/$(LIB)' bash $$x; done

-include bench/bench.mk
-include test/stress.mk
-include test/fuzz/fuzz.mk

# Fault injection: test/fault.c with the extension compiled in. The short
# run samples the fault points of an optimised build (leaks are still
# counted by its allocator); the long run tries every point under ASan and
# UBSan (gcc's runtimes; the system SQLite is not instrumented).
FAULT_SRC = test/fault.c $(SRC) ext/softdelete.h VERSION
FAULT_CFLAGS = $(SD_CFLAGS) -D_DEFAULT_SOURCE -DSQLITE_CORE -Iext
build/fault: $(FAULT_SRC) | build/.headers
	$(CC) $(FAULT_CFLAGS) -o $@ test/fault.c $(SRC) -lsqlite3 -lm
build/fault-asan: $(FAULT_SRC) | build/.headers
	$(ASAN_CC) $(FAULT_CFLAGS) -O1 $(ASAN_FLAGS) -o $@ test/fault.c $(SRC) \
	  -lsqlite3 -lm
faults-quick: build/fault
	build/fault --oom --quick
	build/fault --ioerr --quick
faults: build/fault-asan
	ASAN_OPTIONS=detect_leaks=1 build/fault-asan --oom
	ASAN_OPTIONS=detect_leaks=1 build/fault-asan --ioerr

# -box needs sqlite3 3.33+; older shells get -column -header. The script
# ends on purpose with an INSERT that softdelete refuses, which makes the
# shell exit 1: the demo succeeds when that refusal is what ended it.
DEMO_LAST_ERROR = softdelete: cannot insert a value into users.deleted_at
demo:
	$(DEPS) demo
	$(MAKE) --no-print-directory loadable
	@cd '$(CURDIR)' && \
	  if $(SQLITE3) -box :memory: 'SELECT 1' >/dev/null 2>&1; then mode=-box; \
	  else mode='-column -header'; fi; \
	  out=$$($(SQLITE3) -bail $$mode :memory: < examples/quickstart.sql 2>&1); \
	  rc=$$?; printf '%s\n' "$$out"; \
	  case "$$out" in *'$(DEMO_LAST_ERROR)'*) exit 0 ;; esac; \
	  echo "make demo: the script did not end with the expected error"; exit 1

# Each test file runs in its own valgrind'ed tclsh (SD_TCLSH). Only definite
# leaks count: Tcl's own allocator leaves "possibly lost" blocks at exit.
# Exit code 99 marks valgrind errors, which test/all.tcl counts as a failure.
VALGRIND ?= valgrind --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite --errors-for-leak-kinds=definite -q \
            --suppressions='$(CURDIR)/test/valgrind.supp'
valgrind:
	$(DEPS) valgrind
	$(MAKE) --no-print-directory loadable
	SOFTDELETE_LIB='$(CURDIR)/$(LIB)' SD_TCLSH='$(VALGRIND) $(TCLSH)' \
	  $(RUN_SUITE)

# tclsh is not instrumented, so the ASan runtime must be preloaded (gcc's,
# hence ASAN_CC=gcc). detect_leaks=1 works: stock tclsh 8.6 reports no leaks
# of its own, and finish_test closes every connection first. exitcode=98 so
# a report after failed tests still differs from their exit status 1.
SAN_ENV = LD_PRELOAD="$$($(ASAN_CC) -print-file-name=libasan.so)" \
          ASAN_OPTIONS=detect_leaks=1:exitcode=98 \
          UBSAN_OPTIONS=print_stacktrace=1:exitcode=98
asan:
	$(DEPS) asan
	$(MAKE) --no-print-directory build/asan/softdelete.so
	$(SAN_ENV) SOFTDELETE_LIB='$(CURDIR)/build/asan/softdelete.so' $(RUN_SUITE)

# Compile-and-link check of the Windows build; sqlite3*.h are copied so the
# cross compiler does not see the host's /usr/include.
windows:
ifeq ($(shell command -v $(MINGW_CC)),)
	@echo "make windows: $(MINGW_CC) not found, skipping" \
	      "(Debian: apt-get install gcc-mingw-w64-x86-64)"
else
	$(if $(SRC),,$(error no C sources in ext/))
	@mkdir -p build/windows
	cp $(SQLITE_INCDIR)/sqlite3.h $(SQLITE_INCDIR)/sqlite3ext.h build/windows/
	$(MINGW_CC) $(SD_CFLAGS) -Ibuild/windows -shared -o build/softdelete.dll \
	  $(SRC) softdelete.def
	$(MINGW_CC:gcc=objdump) -p build/softdelete.dll | grep -q sqlite3_softdelete_init
	@echo "build/softdelete.dll exports sqlite3_softdelete_init"
endif

# SQLite loads "softdelete" by trying the name, then softdelete.so, with
# dlopen(): a bare name is found only in the loader's own directories
# (Linux: LD_LIBRARY_PATH, ld.so.cache, which lists lib*.so files only, and
# the system directories /lib/<multiarch>, /usr/lib/<multiarch>, /lib,
# /usr/lib; macOS: /usr/local/lib and /usr/lib among others). /usr/local/lib
# is not one of them on Linux, so the default is the system directory;
# EXTDIR=... installs elsewhere (then load by path).
ifeq ($(shell uname -s),Darwin)
  EXTDIR ?= $(PREFIX)/lib
else
  MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
  EXTDIR ?= /usr/lib$(if $(MULTIARCH),/$(MULTIARCH))
endif
STRIP ?= strip

install: $(LIB)
	install -d '$(DESTDIR)$(EXTDIR)'
	install -m 0755 $(LIB) '$(DESTDIR)$(EXTDIR)/$(LIB)'
	$(STRIP) --strip-unneeded '$(DESTDIR)$(EXTDIR)/$(LIB)' 2>/dev/null \
	  || $(STRIP) -x '$(DESTDIR)$(EXTDIR)/$(LIB)'
	@echo "installed $(DESTDIR)$(EXTDIR)/$(LIB): .load softdelete"

uninstall:
	rm -f '$(DESTDIR)$(EXTDIR)/$(LIB)'

# As root: install, load by name from / in a fresh shell, uninstall (an
# existing installed copy is kept aside and put back).
install-check: $(LIB)
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "install-check: skipped (needs root to write $(EXTDIR))"; exit 0; fi; \
	set -e; keep=''; \
	if [ -e '$(EXTDIR)/$(LIB)' ]; then keep=$$(mktemp); cp '$(EXTDIR)/$(LIB)' "$$keep"; fi; \
	$(MAKE) --no-print-directory -s install >/dev/null; \
	got=$$(cd / && $(SQLITE3) :memory: '.load softdelete' 'SELECT sd_version()' 2>&1) || true; \
	$(MAKE) --no-print-directory -s uninstall; \
	if [ -n "$$keep" ]; then cp "$$keep" '$(EXTDIR)/$(LIB)'; rm -f "$$keep"; fi; \
	if [ "$$got" != '$(VERSION)' ]; then \
	  echo "install-check: .load softdelete after make install gave: $$got"; exit 1; fi; \
	echo "install-check: .load softdelete by name works from $(EXTDIR) ($$got)"

DIST := softdelete-$(VERSION)
DIST_FILES = $(wildcard README.md LICENSE* Makefile VERSION softdelete.def \
                        .gitignore .ci ext scripts test examples docs bench \
                        bindings)
dist:
	rm -rf build/$(DIST) && mkdir -p build/$(DIST)
	tar -cf - --exclude=node_modules --exclude='*.so' --exclude='__pycache__' \
	  --exclude=bindings/node/build --exclude=bindings/node/csrc \
	  --exclude='*.egg-info' --exclude=bindings/python/build \
	  $(DIST_FILES) | tar -C build/$(DIST) -xf -
	tar -C build -czf build/$(DIST).tar.gz $(DIST)
	rm -rf build/$(DIST)
	@echo build/$(DIST).tar.gz

# The tarball unpacked elsewhere builds the extension and the benchmark and
# runs a benchmark workload (bench/ was once left out).
dist-check: dist
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	tar -C "$$d" -xzf build/$(DIST).tar.gz; \
	$(MAKE) --no-print-directory -s -C "$$d/$(DIST)" loadable build/bench >/dev/null; \
	(cd "$$d/$(DIST)" && build/bench ./$(LIB) --quick --rounds 1 --only point_id >/dev/null); \
	echo "dist-check: build/$(DIST).tar.gz builds and benchmarks when unpacked"

clean:
	rm -rf build softdelete.so softdelete.dylib softdelete.dll libsoftdelete.a
