# tests/fuzz/: libFuzzer targets over the real parsers: config.json, process.json and
# resources.json with the runtime's checks of a spec (fuzz-spec_parse); the verbs' command-line
# flags and signal names (fuzz-cli_args); the shim's ttrpc socket with its Task service behind
# it (fuzz-ttrpc_shim); mogu-agent's control port with its Agent service and its rewrite of
# config.json for the guest (fuzz-agent_ttrpc); mogu-monitor's monitor.toml
# (fuzz-monitor_config); an image tar through mogu-flatten (fuzz-flatten_image); containerd's
# Snapshots requests on mogu-snapshotter's gRPC service (fuzz-snapshotter_grpc).
# docs/fuzzing.md says how to run and read them.
#
#   make fuzz              builds the targets, runs each for FUZZ_SECONDS (default 60) and fails
#                          on any finding (crash, leak, UB, foreign exception, hang, OOM)
#   make fuzz-binaries     only builds them, into $(FUZZ_BUILD)/bin/
#
# The targets link the objects of the sanitizer build (SANITIZE=1, the Makefile): clang with
# libFuzzer's coverage instrumentation, ASan and UBSan, the tree the unit tests run from, so one
# compile serves both. `make fuzz-binaries` is a sub-make of this Makefile with
# BUILD=$(FUZZ_BUILD) SANITIZE=1: the objects come from the parts' own rules and sources.
DEB_PACKAGES += clang-14 libclang-rt-14-dev

FUZZ_TARGETS  := spec_parse cli_args ttrpc_shim agent_ttrpc monitor_config flatten_image snapshotter_grpc
FUZZ_BUILD    ?= build-asan
FUZZ_SECONDS  ?= 60
# Extra libFuzzer flags for `make fuzz` (run-target sets the per-input limits), e.g. -jobs=2.
FUZZ_FLAGS    ?=

.PHONY: fuzz fuzz-binaries fuzz-targets

fuzz-binaries:
	$(MAKE) -j$(JOBS) BUILD=$(FUZZ_BUILD) SANITIZE=1 fuzz-targets

# Every target runs even when an earlier one found something; the exit status says if any did.
fuzz: deps
	$(MAKE) fuzz-binaries
	@rc=0; for t in $(FUZZ_TARGETS); do \
	    tests/fuzz/run-target $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) $(FUZZ_FLAGS) || rc=1; \
	done; exit $$rc

ifneq ($(SANITIZE),)
# SANITIZE_FLAGS has -fno-sanitize-recover: every UBSan report is fatal, so libFuzzer records it
# as a crash. Our sources keep the project's -Wall -Wextra -Werror under clang 14 too.

# $(eval $(call fuzz_target,NAME,SOURCES,OUR_STATIC_LIBS,SYSTEM_LIBS))
define fuzz_target
fuzz-targets: $(BUILD)/bin/fuzz-$(1)
$(BUILD)/bin/fuzz-$(1): $(call objs_of,$(2)) $(3)
	@mkdir -p $$(@D)
	$$(CXX) -fsanitize=fuzzer $(SANITIZE_FLAGS) -o $$@ $$(filter %.o,$$^) $(3) $(4)
endef

$(eval $(call fuzz_target,spec_parse,tests/fuzz/spec_parse.cpp tests/fuzz/fuzz_support.cpp runtime/spec_validate.cpp,$(COMMON_LIB),$(COMMON_LIBS)))
$(eval $(call fuzz_target,cli_args,tests/fuzz/cli_args.cpp tests/fuzz/fuzz_support.cpp $(filter-out runtime/cli/main.cpp,$(CLI_SRCS)),$(NODE_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB),$(RUNTIME_LIBS) $(COMMON_LIBS)))

# The ttrpc targets' client harness, shared by both (raw frames from ttrpc.pb.h's C++ classes).
FUZZ_TTRPC_CLIENT := tests/fuzz/ttrpc_client.cpp tests/fuzz/sandbox.cpp tests/fuzz/fuzz_support.cpp
$(call objs_of,tests/fuzz/ttrpc_client.cpp): CPPFLAGS += -I$(PROTO_GEN)
$(call objs_of,tests/fuzz/ttrpc_client.cpp): | $(call proto_headers,$(TTRPC_PROTOS))

# The shim's ttrpc server and Task service, as containerd-shim-mogu-v2 links them (shim/part.mk).
FUZZ_TTRPC_SHIM_OBJS := $(call objs_of,tests/fuzz/ttrpc_shim.cpp)
$(FUZZ_TTRPC_SHIM_OBJS): CPPFLAGS += -I$(PROTO_GEN)
$(FUZZ_TTRPC_SHIM_OBJS): | $(SHIM_PB_C_TYPES) $(ALL_SHIM_PB_H) $(call proto_headers,$(TTRPC_PROTOS))
$(eval $(call fuzz_target,ttrpc_shim,tests/fuzz/ttrpc_shim.cpp $(FUZZ_TTRPC_CLIENT) $(SHIM_TEST_PROTO_OBJS) $(TTRPC_TEST_PROTO_OBJS),$(SHIM_OUR_LIBS),$(SHIM_TESTLIBS)))

# mogu-agent's ttrpc server and Agent service, as the agent links them (kvm-launcher/part.mk).
FUZZ_AGENT_OBJS := $(call objs_of,tests/fuzz/agent_ttrpc.cpp)
$(FUZZ_AGENT_OBJS): CPPFLAGS += -I$(PROTO_GEN)
$(FUZZ_AGENT_OBJS): | $(KVM_PROTO_H) $(call proto_headers,$(TTRPC_PROTOS))
$(BUILD)/bin/fuzz-agent_ttrpc: $(KVM_PROTO_OBJ)
$(eval $(call fuzz_target,agent_ttrpc,tests/fuzz/agent_ttrpc.cpp $(FUZZ_TTRPC_CLIENT) $(TTRPC_TEST_PROTO_OBJS) $(filter-out kvm-launcher/agent/main.cpp,$(KVM_AGENT_SRCS)),$(KVM_DEP_LIBS) $(COMMON_LIB),$(KVM_LIBS)))

# mogu-monitor's configuration readers, as mogu-monitor links them (monitor/part.mk).
$(eval $(call fuzz_target,monitor_config,tests/fuzz/monitor_config.cpp tests/fuzz/fuzz_support.cpp,$(MONITOR_LIB) $(MONITOR_DEP_LIBS),$(MONITOR_LIBS) $(COMMON_LIBS)))

# mogu-snapshotter's gRPC service over its Snapshotter and SQLite database, as the daemon links
# them (snapshotter/part.mk, without the command line).
FUZZ_SNAP_OBJS := $(call objs_of,tests/fuzz/snapshotter_grpc.cpp)
$(FUZZ_SNAP_OBJS): EXTRA_CXXFLAGS += -I$(SNAP_GEN)
$(FUZZ_SNAP_OBJS): | $(SNAP_GEN)/.stamp
$(eval $(call fuzz_target,snapshotter_grpc,tests/fuzz/snapshotter_grpc.cpp tests/fuzz/sandbox.cpp tests/fuzz/fuzz_support.cpp $(SNAP_SRCS),$(SNAP_PB_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(SNAP_LIBS)))

# mogu-flatten's sources, as the binary links them (flattener/part.mk).
$(eval $(call fuzz_target,flatten_image,tests/fuzz/flatten_image.cpp tests/fuzz/sandbox.cpp tests/fuzz/fuzz_support.cpp $(filter-out flattener/main.cpp,$(FLATTEN_SRCS)),$(COMMON_LIB),$(FLATTEN_LIBS)))
endif
