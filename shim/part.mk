# shim/: containerd-shim-mogu-v2 over our own ttrpc library.
#   shim/ttrpc/  ttrpc (framing, server, client, event loop): its own library, reused by the VM agent
#   shim/proto/  containerd's task, event and metrics messages, written from containerd 1.6's API
#   shim/task/   the Task service: containers, processes, stdio, runtime binary, events, OOM, stats
DEB_PACKAGES += protobuf-compiler libprotobuf-dev libmd-dev libyajl-dev containerd runc docker.io bsdutils

SHIM_GEN := $(BUILD)/gen
PROTOC   ?= protoc

# .proto -> $(BUILD)/gen/<dir>/<name>.pb.{cc,h}, compiled to $(BUILD)/obj/gen/...
$(SHIM_GEN)/%.pb.cc $(SHIM_GEN)/%.pb.h: %.proto
	@mkdir -p $(SHIM_GEN)
	$(PROTOC) -I. --cpp_out=$(SHIM_GEN) $<

$(BUILD)/obj/gen/%.pb.o: $(SHIM_GEN)/%.pb.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -I$(SHIM_GEN) $(CXXFLAGS) $(SHIM_SECTIONS) -Wno-unused-parameter -c $< -o $@

proto_objs = $(patsubst %.proto,$(BUILD)/obj/gen/%.pb.o,$(1))
proto_headers = $(patsubst %.proto,$(SHIM_GEN)/%.pb.h,$(1))

# protobuf-lite (every .proto here says LITE_RUNTIME): no reflection runtime in a small shim.
PROTOBUF_LIBS := -lprotobuf-lite -lpthread

TTRPC_PROTOS := shim/ttrpc/ttrpc.proto
TTRPC_SRCS   := $(sort $(wildcard shim/ttrpc/*.cpp))
TTRPC_LIB    := $(BUILD)/lib/libmogu-ttrpc.a
TTRPC_LIBS   := $(PROTOBUF_LIBS)

SHIM_PROTOS := $(sort $(wildcard shim/proto/*.proto))
SHIM_SRCS   := $(sort $(wildcard shim/*.cpp shim/task/*.cpp))
SHIM_LIB    := $(BUILD)/lib/libmogu-shim.a

ALL_SHIM_PB_H := $(call proto_headers,$(TTRPC_PROTOS) $(SHIM_PROTOS))
SHIM_CXX_OBJS := $(call objs_of,$(TTRPC_SRCS) $(SHIM_SRCS) $(wildcard tests/unit/ttrpc/*.cpp tests/unit/shim/*.cpp))
# One section per function, so the static shim links only the code it calls (--gc-sections).
SHIM_SECTIONS := -ffunction-sections -fdata-sections
$(SHIM_CXX_OBJS): CPPFLAGS += -I$(SHIM_GEN) $(SHIM_SECTIONS)
$(SHIM_CXX_OBJS): | $(ALL_SHIM_PB_H)
.SECONDARY: $(patsubst %.proto,$(SHIM_GEN)/%.pb.cc,$(TTRPC_PROTOS) $(SHIM_PROTOS)) $(ALL_SHIM_PB_H)

$(TTRPC_LIB): $(call objs_of,$(TTRPC_SRCS)) $(call proto_objs,$(TTRPC_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Everything but main.cpp, so unit tests link the same code the binary runs.
$(SHIM_LIB): $(call objs_of,$(filter-out shim/main.cpp,$(SHIM_SRCS))) $(call proto_objs,$(SHIM_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Fully static outside sanitizer builds: shared libc, libstdc++, libfmt and libyajl pages would
# double the idle shim's resident memory. libfmt's compiled part comes from common/fmt_compiled.cpp.
SHIM_SYSLIBS  := $(if $(SANITIZE),-lyajl,-static -Wl,--gc-sections -l:libyajl_s.a) -lprotobuf-lite -lmd -lpthread
SHIM_TESTLIBS := -lyajl -lprotobuf-lite -lmd -lpthread

$(eval $(call binary,containerd-shim-mogu-v2,shim/main.cpp,$(SHIM_LIB) $(TTRPC_LIB) $(CGROUPS_LIB) $(COMMON_LIB),$(SHIM_SYSLIBS)))

$(eval $(call unit_test,ttrpc,$(wildcard tests/unit/ttrpc/*.cpp),$(TTRPC_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(TTRPC_LIBS)))
ifneq ($(wildcard tests/unit/shim/*.cpp),)
$(eval $(call unit_test,shim,$(wildcard tests/unit/shim/*.cpp),$(SHIM_LIB) $(TTRPC_LIB) $(CGROUPS_LIB) $(COMMON_LIB),$(SHIM_TESTLIBS)))
endif

# The fixture image the containerd and Docker tests import (an OCI layout tar).
SHIM_IMAGE := tests/fixtures/out/busybox-oci.tar
fixtures: $(SHIM_IMAGE)
$(SHIM_IMAGE): tests/fixtures/make-oci-image tests/fixtures/out/rootfs/bin/busybox
	tests/fixtures/make-oci-image tests/fixtures/out/rootfs $@ docker.io/mogu/busybox:latest
