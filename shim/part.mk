# shim/: containerd-shim-mogu-v2 over our own ttrpc library (ttrpc/).
#   shim/proto/  containerd's task, event and metrics messages, written from containerd 1.6's API
#   shim/task/   the Task service: containers, processes, stdio, runtime binary, events, OOM, stats
DEB_PACKAGES += protobuf-compiler libprotobuf-dev libmd-dev libyajl-dev containerd runc docker.io bsdutils

# ttrpc/part.mk is read after this file (alphabetical order), so its library is named by path;
# its rule exists by the time make builds.
SHIM_TTRPC_LIB := $(BUILD)/lib/libmogu-ttrpc.a

SHIM_PROTOS := $(sort $(wildcard shim/proto/*.proto))
SHIM_SRCS   := $(sort $(wildcard shim/*.cpp shim/task/*.cpp))
SHIM_LIB    := $(BUILD)/lib/libmogu-shim.a

ALL_SHIM_PB_H := $(call proto_headers,$(SHIM_PROTOS))
SHIM_CXX_OBJS := $(call objs_of,$(SHIM_SRCS) $(wildcard tests/unit/shim/*.cpp))
$(SHIM_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)
$(SHIM_CXX_OBJS): | $(ALL_SHIM_PB_H)
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb.cc,$(SHIM_PROTOS)) $(ALL_SHIM_PB_H)

# Everything but main.cpp, so unit tests link the same code the binary runs.
$(SHIM_LIB): $(call objs_of,$(filter-out shim/main.cpp,$(SHIM_SRCS))) $(call proto_objs,$(SHIM_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Fully static outside sanitizer builds: shared libc, libstdc++, libfmt and libyajl pages would
# double the idle shim's resident memory. libfmt's compiled part comes from common/fmt_compiled.cpp.
SHIM_SYSLIBS  := $(if $(SANITIZE),-lyajl,-static -Wl,--gc-sections -l:libyajl_s.a) -lprotobuf-lite -lmd -lpthread
SHIM_TESTLIBS := -lyajl -lprotobuf-lite -lmd -lpthread

# Of the runtime library the shim takes only what it calls (an archive gives no more): the
# LXCFS load average reader for Stats (runtime/lxcfs/load_average.cpp).
SHIM_OUR_LIBS := $(SHIM_LIB) $(SHIM_TTRPC_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB)

$(eval $(call binary,containerd-shim-mogu-v2,shim/main.cpp,$(SHIM_OUR_LIBS),$(SHIM_SYSLIBS)))

ifneq ($(wildcard tests/unit/shim/*.cpp),)
$(eval $(call unit_test,shim,$(wildcard tests/unit/shim/*.cpp),$(SHIM_OUR_LIBS),$(SHIM_TESTLIBS)))
endif

# The fixture image the containerd and Docker tests import (an OCI layout tar).
SHIM_IMAGE := tests/fixtures/out/busybox-oci.tar
fixtures: $(SHIM_IMAGE)
$(SHIM_IMAGE): tests/fixtures/make-oci-image tests/fixtures/out/rootfs/bin/busybox
	tests/fixtures/make-oci-image tests/fixtures/out/rootfs $@ docker.io/mogu/busybox:latest
