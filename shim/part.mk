# shim/: containerd-shim-mogu-v2 over our own ttrpc library (ttrpc/).
#   shim/proto/  containerd's task, event and metrics messages, written from containerd 1.6's API
#   shim/task/   the Task service: containers, processes, stdio, runtime binary, events, OOM, stats
DEB_PACKAGES += protobuf-c-compiler libprotobuf-c-dev protobuf-compiler libprotobuf-dev libmd-dev libyajl-dev containerd runc docker.io bsdutils

# ttrpc/part.mk is read after this file (alphabetical order), so its library is named by path;
# its rule exists by the time make builds.
SHIM_TTRPC_LIB := $(BUILD)/lib/libmogu-ttrpc.a

SHIM_PROTOS := $(sort $(wildcard shim/proto/*.proto))
SHIM_SRCS   := $(sort $(wildcard shim/*.cpp shim/task/*.cpp))
SHIM_LIB    := $(BUILD)/lib/libmogu-shim.a

# The shim's messages are protobuf-c structs (shim/proto/messages.h): no C++ protobuf runtime in
# the binary. Its unit tests, fuzz target and tools build and read the same messages with the C++
# classes of the same files (ALL_SHIM_PB_H), which checks both encoders against each other.
ALL_SHIM_PB_C_H := $(call proto_c_headers,$(SHIM_PROTOS))
ALL_SHIM_PB_H := $(call proto_headers,$(SHIM_PROTOS))
SHIM_CXX_OBJS := $(call objs_of,$(SHIM_SRCS) $(wildcard tests/unit/shim/*.cpp))
$(SHIM_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)
SHIM_PB_C_TYPES := $(PROTO_GEN)/shim/proto/protobuf_c_types.h
$(eval $(call protobuf_c_types,shim/proto/protobuf_c_types.h,$(SHIM_PROTOS)))
$(SHIM_CXX_OBJS): | $(SHIM_PB_C_TYPES) $(ALL_SHIM_PB_H)
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb.cc,$(SHIM_PROTOS)) $(ALL_SHIM_PB_H)
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb-c.c,$(SHIM_PROTOS)) $(ALL_SHIM_PB_C_H)
SHIM_TEST_PROTO_OBJS := $(call proto_objs,$(SHIM_PROTOS))

# Everything but main.cpp, so unit tests link the same code the binary runs.
$(SHIM_LIB): $(call objs_of,$(filter-out shim/main.cpp,$(SHIM_SRCS))) $(call proto_c_objs,$(SHIM_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Fully static outside sanitizer builds: shared libc, libstdc++, libfmt and libyajl pages would
# double the idle shim's resident memory. libfmt's compiled part comes from common/fmt_compiled.cpp.
SHIM_SYSLIBS  := $(if $(SANITIZE),-lyajl,-static -Wl,--gc-sections -l:libyajl_s.a) -lprotobuf-c -lmd -lpthread
SHIM_TESTLIBS := -lyajl -lprotobuf-c -lprotobuf-lite -lmd -lpthread

# Of the runtime library the shim takes only what it calls (an archive gives no more): the
# LXCFS load average reader for Stats (runtime/lxcfs/load_average.cpp).
SHIM_OUR_LIBS := $(SHIM_LIB) $(SHIM_TTRPC_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB)

$(eval $(call binary,containerd-shim-mogu-v2,shim/main.cpp,$(SHIM_OUR_LIBS),$(SHIM_SYSLIBS)))

ifneq ($(wildcard tests/unit/shim/*.cpp),)
$(eval $(call unit_test,shim,$(wildcard tests/unit/shim/*.cpp) $(SHIM_TEST_PROTO_OBJS),$(SHIM_OUR_LIBS),$(SHIM_TESTLIBS)))
endif

# The fixture image the containerd and Docker tests import (an OCI layout tar).
SHIM_IMAGE := tests/fixtures/out/busybox-oci.tar
fixtures: $(SHIM_IMAGE)
$(SHIM_IMAGE): tests/fixtures/make-oci-image tests/fixtures/out/rootfs/bin/busybox
	tests/fixtures/make-oci-image tests/fixtures/out/rootfs $@ docker.io/mogu/busybox:latest

# mogu-shim-stats ADDRESS ID (tests/tools/shim_stats.cpp): the shim's raw Stats answer as JSON,
# mogu's extension fields included, which ctr's JSON drops. Printing JSON takes protobuf's full
# runtime (descriptors), so the metrics protos are compiled a second time without LITE_RUNTIME,
# as mogu_full/*.proto; the tool links only those and the lite shim.proto messages it sends.
SHIM_FULL_GEN    := $(BUILD)/gen-full
SHIM_STATS_FULL  := cgroups_v1 cgroups_v2
SHIM_STATS_LITE  := shim/proto/shim.proto shim/proto/wkt.proto shim/proto/mount.proto shim/proto/task_types.proto
SHIM_STATS_FULL_H := $(patsubst %,$(SHIM_FULL_GEN)/mogu_full/%.pb.h,$(SHIM_STATS_FULL))
SHIM_STATS_TOOL  := $(BUILD)/tests/tools/mogu-shim-stats
fixtures: $(SHIM_STATS_TOOL)

$(SHIM_FULL_GEN)/src/mogu_full/%.proto: shim/proto/%.proto
	@mkdir -p $(@D)
	sed '/optimize_for = LITE_RUNTIME/d' $< >$@
$(SHIM_FULL_GEN)/mogu_full/%.pb.cc $(SHIM_FULL_GEN)/mogu_full/%.pb.h: $(SHIM_FULL_GEN)/src/mogu_full/%.proto
	$(PROTOC) -I$(SHIM_FULL_GEN)/src --cpp_out=$(SHIM_FULL_GEN) $<
$(BUILD)/obj/gen-full/%.pb.o: $(SHIM_FULL_GEN)/%.pb.cc | $(PCH)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -I$(SHIM_FULL_GEN) $(CXXFLAGS) -Wno-unused-parameter -c $< -o $@
.SECONDARY: $(patsubst %,$(SHIM_FULL_GEN)/src/mogu_full/%.proto,$(SHIM_STATS_FULL)) \
    $(patsubst %,$(SHIM_FULL_GEN)/mogu_full/%.pb.cc,$(SHIM_STATS_FULL)) $(SHIM_STATS_FULL_H)

$(call objs_of,tests/tools/shim_stats.cpp): CPPFLAGS += -I$(PROTO_GEN) -I$(SHIM_FULL_GEN)
$(call objs_of,tests/tools/shim_stats.cpp): | $(SHIM_STATS_FULL_H) $(call proto_headers,$(SHIM_STATS_LITE))
$(SHIM_STATS_TOOL): $(call objs_of,tests/tools/shim_stats.cpp) $(patsubst %,$(BUILD)/obj/gen-full/mogu_full/%.pb.o,$(SHIM_STATS_FULL)) \
    $(call proto_objs,$(SHIM_STATS_LITE)) $(SHIM_TTRPC_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(SHIM_TTRPC_LIB) $(COMMON_LIB) $(COMMON_LIBS) -lprotobuf -lprotobuf-c -lpthread
