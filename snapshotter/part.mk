# snapshotter/: mogu-snapshotter (thin pool via libdevmapper, SQLite metadata, containerd's
# Snapshots API over gRPC, offline recovery).
DEB_PACKAGES += libdevmapper-dev libsqlite3-dev libgrpc++-dev libprotobuf-dev protobuf-compiler \
                protobuf-compiler-grpc libtomlplusplus-dev thin-provisioning-tools e2fsprogs \
                containerd runc dmsetup
# fio: the cache tier's bench (bench/cache.sh) reads through it at random.
DEB_PACKAGES += fio

SNAP_GEN    := $(BUILD)/gen/snapshotter
SNAP_PROTOS := containerd/types/mount.proto containerd/services/snapshots/v1/snapshots.proto
SNAP_PB_CC  := $(patsubst %.proto,$(SNAP_GEN)/%.pb.cc,$(SNAP_PROTOS)) \
               $(SNAP_GEN)/containerd/services/snapshots/v1/snapshots.grpc.pb.cc
SNAP_PB_O   := $(patsubst $(SNAP_GEN)/%.cc,$(SNAP_GEN)/obj/%.o,$(SNAP_PB_CC))
SNAP_SRCS   := $(sort $(wildcard snapshotter/*.cpp snapshotter/dm/*.cpp))
SNAP_CLI    := $(sort $(wildcard snapshotter/cli/*.cpp))
SNAP_LIBS   := $(shell pkg-config --libs grpc++ protobuf 2>/dev/null) -ldevmapper -lsqlite3 -lpthread

# protoc writes every generated file of a run at once; one stamp stands for them.
$(SNAP_GEN)/.stamp: $(addprefix snapshotter/proto/,$(SNAP_PROTOS))
	@mkdir -p $(SNAP_GEN)
	protoc -Isnapshotter/proto -I/usr/include --cpp_out=$(SNAP_GEN) $(SNAP_PROTOS)
	protoc -Isnapshotter/proto -I/usr/include --grpc_out=$(SNAP_GEN) \
	    --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) containerd/services/snapshots/v1/snapshots.proto
	@touch $@
$(SNAP_PB_CC): $(SNAP_GEN)/.stamp

# Generated code is not ours to warn about.
$(SNAP_GEN)/obj/%.o: $(SNAP_GEN)/%.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -I$(SNAP_GEN) $(CXXSTD) $(OPT) -fPIC -w $(if $(SANITIZE),$(SANITIZE_FLAGS)) -c $< -o $@

# The generated code as one archive (the link macros take archives after the objects).
SNAP_PB_LIB := $(BUILD)/lib/libmogu-snapshots-proto.a
$(SNAP_PB_LIB): $(SNAP_PB_O)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(call objs_of,$(SNAP_SRCS) $(SNAP_CLI) $(wildcard tests/unit/snapshotter/*.cpp)): EXTRA_CXXFLAGS += -I$(SNAP_GEN)
# The snapshotter's failpoints (common/failpoint.h) are always compiled in: its VM suite kills the
# daemon inside Prepare and Remove to test the start-up repairs.
$(call objs_of,$(SNAP_SRCS)): CPPFLAGS += -DMOGU_FAILPOINTS
$(call objs_of,$(SNAP_SRCS) $(SNAP_CLI) $(wildcard tests/unit/snapshotter/*.cpp)): | $(SNAP_GEN)/.stamp

$(eval $(call binary,mogu-snapshotter,$(SNAP_SRCS) $(SNAP_CLI),$(SNAP_PB_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(SNAP_LIBS)))

ifneq ($(wildcard tests/unit/snapshotter/*.cpp),)
$(eval $(call unit_test,snapshotter,$(wildcard tests/unit/snapshotter/*.cpp) $(SNAP_SRCS),$(SNAP_PB_LIB) $(COMMON_LIB),$(COMMON_LIBS) $(SNAP_LIBS)))
endif
