# mogu: one entry point for building, testing, demoing and benchmarking.
# Each part describes itself in <part>/part.mk; this file only wires them together.

.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD    ?= build
PREFIX   ?= /usr/local
SANITIZE ?=

CXX      ?= g++
CXXSTD   := -std=c++20
WARN     := -Wall -Wextra -Werror -Wno-missing-field-initializers
# -g1 (line tables, function names) keeps backtraces readable at half the compile time of -g.
OPT      ?= -O2 -g1
# What the shim links is built for size: one shim stays resident per container, and its resident
# memory follows the size of its text, not the code it runs (docs/benchmarks.md: 1.37 MB idle at
# -Os against 1.72 MB at -O2). The libraries are shared with the runtime binaries, which run for
# milliseconds and whose work is system calls. Not in the sanitizer tree (one PCH, one OPT there).
SIZE_OPT ?= -Os -g1
SIZE_OPT_DIRS := common ttrpc shim runtime/cgroups
CPPFLAGS += -I. -D_GNU_SOURCE
# One section per function: static binaries keep only the code they call (--gc-sections).
CXXFLAGS += $(CXXSTD) $(WARN) $(OPT) -fPIC -MMD -MP -ffunction-sections -fdata-sections
LDFLAGS  +=

# Parallel sub-makes by default: `make test` on a fresh clone builds everything twice.
JOBS     ?= $(shell nproc)

# FAILPOINTS=1 compiles the failpoints into every binary of the build (common/failpoint.h,
# MOGU_FAILPOINT=<name>:<action>). The tests need only `make failpoint-binaries` (mk/failpoints.mk).
FAILPOINTS ?=
ifneq ($(FAILPOINTS),)
CPPFLAGS += -DMOGU_FAILPOINTS
endif

# The sanitizer build (SANITIZE=1, build-asan/) is one tree for the unit tests and the fuzz
# targets (tests/fuzz/fuzz.mk), so make test compiles the sources once for both: clang with ASan
# and UBSan, every UBSan report fatal (a unit test that hits undefined behaviour fails), and
# libFuzzer's coverage instrumentation, which a unit test does not notice. -O0 compiles about
# four times faster than -O1 with ASan; a long fuzzing campaign may ask for SANITIZE_OPT='-O1 -g1'
# in a tree of its own (docs/fuzzing.md).
SANITIZE_CXX   ?= clang++-14
SANITIZE_CC    ?= clang-14
SANITIZE_OPT   ?= -O0 -g1
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SANITIZE),)
$(foreach d,$(SIZE_OPT_DIRS),$(eval $(BUILD)/obj/$(d)/%.o: OPT = $(SIZE_OPT)))
$(BUILD)/obj/gen/%.pb-c.o: OPT = $(SIZE_OPT)
endif
ifneq ($(SANITIZE),)
CXX      := $(SANITIZE_CXX)
CC       := $(SANITIZE_CC)
OPT      := $(SANITIZE_OPT)
CXXFLAGS += $(SANITIZE_FLAGS) -fsanitize=fuzzer-no-link
LDFLAGS  += $(SANITIZE_FLAGS)
endif

# In the sanitizer tree every C++ object includes mk/precompiled.h first, from the tree's own
# precompiled copy ($(BUILD)/pch, built with the tree's flags by mk/rules.mk): a quarter less
# compile time for clang. Not for g++: its -O2 flow warnings (-Warray-bounds,
# -Wstringop-overflow) stop treating the standard headers as system headers when they come from
# a precompiled header, and report false positives inside std::string that -Werror makes fatal.
PCH_DIR  := $(BUILD)/pch
ifneq ($(SANITIZE),)
PCH      := $(PCH_DIR)/precompiled.h.gch
PCH_USE  := -include $(PCH_DIR)/precompiled.h
CXXFLAGS += $(PCH_USE)
endif

# Filled in by the parts.
BINARIES      :=
UNIT_TESTS    :=
DEB_PACKAGES  :=

include mk/rules.mk
include mk/deps.mk
include $(sort $(wildcard */part.mk))
include tests/fuzz/fuzz.mk
include tests/cri/cri.mk
include mk/failpoints.mk

.PHONY: all deps test unit integration vm-test demo bench install asan clean fixtures fuzz
all: $(BINARIES)

asan:
	$(MAKE) -j$(JOBS) BUILD=build-asan SANITIZE=1 all unit-binaries

unit-binaries: $(UNIT_TESTS)

# make test: install what is missing, build, make fixtures, run every suite, print one summary line.
# Each phase prints the time it starts, so a slow CI run says where its minutes went. The
# sanitizer build of the unit tests runs in tests/run-all's side lane, beside the integration
# suites (which mostly wait on containers), then the unit and VM suites follow it there. Of the
# release unit tests only the cgroups one is built: tests/vm/suites/cgroups.sh runs it in guests.
test: deps
	@echo "# $$(date +%T) make test: building"
	$(MAKE) -j$(JOBS) all fixtures failpoint-binaries $(BUILD)/tests/unit/cgroups
	@echo "# $$(date +%T) make test: running the suites"
	BUILD=$(BUILD) ASAN_MAKE='$(MAKE) --no-print-directory -j$(JOBS) BUILD=build-asan SANITIZE=1 unit-binaries fuzz-targets' \
	    tests/run-all

demo: deps
	$(MAKE) -j$(JOBS) all fixtures
	BUILD=$(BUILD) tests/demo

bench: deps
	$(MAKE) -j$(JOBS) all fixtures
	BUILD=$(BUILD) bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINARIES) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-asan build-fp tests/fixtures/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
