# ttrpc/: our ttrpc (framing, epoll event loop, server, client), a library of its own: the shim
# serves containerd's Task API with it, mogu-vm and mogu-agent speak the Agent service with it.
#   ttrpc.proto  the wire messages (Request, Response, google.rpc.Status), from containerd/ttrpc
#
# This file is read after kvm-launcher/part.mk and shim/part.mk (alphabetical order): they name
# the library by its path, $(BUILD)/lib/libmogu-ttrpc.a.
DEB_PACKAGES += protobuf-c-compiler libprotobuf-c-dev protobuf-compiler libprotobuf-dev

TTRPC_PROTOS := ttrpc/ttrpc.proto
TTRPC_SRCS   := $(sort $(wildcard ttrpc/*.cpp))
TTRPC_LIB    := $(BUILD)/lib/libmogu-ttrpc.a
# The library's wire messages are protobuf-c (ttrpc/wire.h): a shim links no C++ protobuf.
TTRPC_LIBS   := -lprotobuf-c -lpthread

# The library's sources include ttrpc.pb-c.h (through ttrpc/wire.h); its tests build raw frames
# with the C++ classes of the same file (ttrpc.pb.h) and link protobuf-lite for them.
TTRPC_CXX_OBJS := $(call objs_of,$(TTRPC_SRCS) $(wildcard tests/unit/ttrpc/*.cpp))
$(TTRPC_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)
TTRPC_PB_C_TYPES := $(PROTO_GEN)/ttrpc/protobuf_c_types.h
$(eval $(call protobuf_c_types,ttrpc/protobuf_c_types.h,$(TTRPC_PROTOS)))
$(TTRPC_CXX_OBJS): | $(TTRPC_PB_C_TYPES) $(call proto_headers,$(TTRPC_PROTOS))
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb.cc,$(TTRPC_PROTOS)) $(call proto_headers,$(TTRPC_PROTOS))
.SECONDARY: $(patsubst %.proto,$(PROTO_GEN)/%.pb-c.c,$(TTRPC_PROTOS)) $(call proto_c_headers,$(TTRPC_PROTOS))
TTRPC_TEST_PROTO_OBJS := $(call proto_objs,$(TTRPC_PROTOS))

$(TTRPC_LIB): $(call objs_of,$(TTRPC_SRCS)) $(call proto_c_objs,$(TTRPC_PROTOS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

ifneq ($(wildcard tests/unit/ttrpc/*.cpp),)
$(eval $(call unit_test,ttrpc,$(wildcard tests/unit/ttrpc/*.cpp) $(TTRPC_TEST_PROTO_OBJS),$(TTRPC_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(TTRPC_LIBS) -lprotobuf-lite))
endif
