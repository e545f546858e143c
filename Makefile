# Makefile - builds lalscan (./lalscan), its tests (ASan+UBSan), fuzzers and docs.
# `make run` and `make test` first install missing Debian packages (`make deps`).

PKGS        := libkdumpfile libaddrxlat libcjson zlib libmspack sqlite3 libcurl
DEB_BUILD   := build-essential pkg-config libkdumpfile-dev libcjson-dev zlib1g-dev libmspack-dev libsqlite3-dev libcurl4-openssl-dev
DEB_TEST    := python3 python3-jsonschema clang lld llvm gzip sqlite3 parallel gcab cabextract openssl
PREFIX      ?= /usr/local
BUILD       ?= rel
O           := build/$(BUILD)
CC          ?= cc

PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
BASEFLAGS   := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude $(WARN) $(PKG_CFLAGS)
ifeq ($(BUILD),asan)
  OPTFLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(BUILD),fuzz)
  CC        := clang
  OPTFLAGS  := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
else
  OPTFLAGS  := -O2 -g
endif
# Messages are cut to their buffers on purpose (snprintf), so gcc's truncation guesses are
# noise; clang has no such warning (and rejects the option).
ifeq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
  BASEFLAGS += -Wno-format-truncation
endif
ALL_CFLAGS  := $(BASEFLAGS) $(OPTFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(OPTFLAGS) -Wl,--as-needed $(LDFLAGS)
LIBS        := $(PKG_LIBS) -lpthread -lm

LIB_SRC     := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC     := $(sort $(wildcard src/cli/*.c))
LIB_OBJ     := $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(O)/%.o)
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all lib deps run test testbins fuzz fuzz-run bench install clean check-clang help
.DEFAULT_GOAL := all

all: lalscan

ifeq ($(BUILD),rel)
lalscan: $(O)/lalscan
	cp $< $@
endif

$(O)/lalscan: $(CLI_OBJ) $(O)/liblalscan.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(O)/liblalscan.a $(LIBS)

$(O)/liblalscan.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(O)/src/cli/help.o: $(O)/gen/help.h
$(O)/gen/help.h: man/lalscan.1 tools/man2help.awk
	@mkdir -p $(dir $@)
	awk -f tools/man2help.awk $< > $@.tmp && mv $@.tmp $@

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(O)/gen -MMD -MP -c $< -o $@

$(O)/tests/%: tests/unit/%.c $(O)/liblalscan.a tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(O)/liblalscan.a $(LIBS)

testbins: $(O)/lalscan $(UNIT_BIN)

# Debian packages: install only what is missing, so a second run is instant.
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_TEST); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (or install:$$missing)" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The seed case: Server 2003 SP1 x86, a lookaside list deleted with blocks still out. lalscan
# exits 1 when it finds a leak, which is the expected outcome here.
run: deps
	$(MAKE) --no-print-directory all
	./lalscan info fixtures/dumps/x86pae-full.dmp
	@echo
	./lalscan -y fixtures/drivers/bin fixtures/dumps/verifier-2003sp1-x86.dmp; test $$? -eq 1

test: deps
	$(MAKE) --no-print-directory BUILD=asan testbins
	$(MAKE) --no-print-directory BUILD=rel $(O)/lalscan
	$(MAKE) --no-print-directory check-clang
	tests/run.sh build/asan

# The same sources must build warning-free with clang too.
check-clang:
	$(MAKE) --no-print-directory BUILD=clang CC=clang build/clang/lalscan

fuzz:
	$(MAKE) --no-print-directory BUILD=fuzz fuzzbins
fuzzbins: $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)
$(O)/fuzz/%: tests/fuzz/%.c $(O)/liblalscan.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(O)/liblalscan.a $(LIBS)
fuzz-run: fuzz
	tests/fuzz/run.sh build/fuzz $(or $(SECONDS_EACH),60)

bench: all
	tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 lalscan $(DESTDIR)$(PREFIX)/bin/lalscan
	install -m 0644 man/lalscan.1 $(DESTDIR)$(PREFIX)/share/man/man1/lalscan.1

clean:
	rm -rf build lalscan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
