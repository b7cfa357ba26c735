# ttrpc/: our ttrpc (framing, epoll event loop, server, client), a library of its own: the shim
# serves containerd's Task API with it, mogu-vm and mogu-agent speak the Agent service with it.
#   ttrpc.proto  the wire messages (Request, Response, google.rpc.Status), from containerd/ttrpc
#
# This file is read after kvm-launcher/part.mk and shim/part.mk (alphabetical order): they name
# the library by its path, $(BUILD)/lib/libmogu-ttrpc.a.
DEB_PACKAGES += protobuf-compiler libprotobuf-dev

TTRPC_PROTOS := ttrpc/ttrpc.proto
TTRPC_SRCS   := $(sort $(wildcard ttrpc/*.cpp))
TTRPC_LIB    := $(BUILD)/lib/libmogu-ttrpc.a
# protobuf-lite (ttrpc.proto says LITE_RUNTIME): no reflection runtime in a small shim.
TTRPC_LIBS   := -lprotobuf-lite -lpthread

# Only the library's own sources and its tests include ttrpc.pb.h; its headers do not.
TTRPC_CXX_OBJS := $(call objs_of,$(TTRPC_SRCS) $(wildcard tests/unit/ttrpc/*.cpp))
$(TTRPC_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)
$(TTRPC_CXX_OBJS): | $(call proto_headers,$(TTRPC_PROTOS))
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb.cc,$(TTRPC_PROTOS)) $(call proto_headers,$(TTRPC_PROTOS))

$(TTRPC_LIB): $(call objs_of,$(TTRPC_SRCS)) $(call proto_objs,$(TTRPC_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

ifneq ($(wildcard tests/unit/ttrpc/*.cpp),)
$(eval $(call unit_test,ttrpc,$(wildcard tests/unit/ttrpc/*.cpp),$(TTRPC_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(TTRPC_LIBS)))
endif
