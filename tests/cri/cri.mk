# tests/cri/: what the CRI suite needs besides containerd: mogu-cri (a CRI client over gRPC with
# crictl's verbs), the pause binary and its image, Debian's CNI plugins.
DEB_PACKAGES += containernetworking-plugins iproute2 iptables libgrpc++-dev libprotobuf-dev protobuf-compiler \
                protobuf-compiler-grpc python3-websocket

CRI_GEN    := $(BUILD)/gen/cri
CRI_PROTO  := runtime/v1/api.proto
CRI_PB_CC  := $(CRI_GEN)/runtime/v1/api.pb.cc $(CRI_GEN)/runtime/v1/api.grpc.pb.cc
CRI_PB_O   := $(patsubst $(CRI_GEN)/%.cc,$(CRI_GEN)/obj/%.o,$(CRI_PB_CC))
CRI_SRCS   := $(sort $(wildcard tests/cri/client/*.cpp))
CRI_LIBS   := $(shell pkg-config --libs grpc++ protobuf 2>/dev/null) -lpthread
CRI_CLIENT := $(BUILD)/tests/tools/mogu-cri

$(CRI_GEN)/.stamp: tests/cri/proto/$(CRI_PROTO)
	@mkdir -p $(CRI_GEN)
	protoc -Itests/cri/proto --cpp_out=$(CRI_GEN) $(CRI_PROTO)
	protoc -Itests/cri/proto --grpc_out=$(CRI_GEN) --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) $(CRI_PROTO)
	@touch $@
$(CRI_PB_CC): $(CRI_GEN)/.stamp
# The objects too: the .cc files have no recipe, so make does not see protoc rewrite them.
$(CRI_PB_O): $(CRI_GEN)/.stamp

# Generated code: not ours to warn about, and -O1 halves its compile time.
$(CRI_GEN)/obj/%.o: $(CRI_GEN)/%.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -I$(CRI_GEN) $(CXXSTD) -O1 -fPIC -w -c $< -o $@

$(call objs_of,$(CRI_SRCS)): EXTRA_CXXFLAGS += -I$(CRI_GEN)
$(call objs_of,$(CRI_SRCS)): | $(CRI_GEN)/.stamp

$(CRI_CLIENT): $(call objs_of,$(CRI_SRCS)) $(CRI_PB_O) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(COMMON_LIB) $(COMMON_LIBS) $(CRI_LIBS)

# The sandbox's pause process, static, in an image of its own (no registry: we make it here).
CRI_PAUSE := $(BUILD)/tests/tools/mogu-pause
$(CRI_PAUSE): tests/cri/pause.c
	@mkdir -p $(@D)
	$(CC) -static -Os -Wall -Wextra -Werror -o $@ $<

$(FIXTURES)/pause-oci.tar: $(CRI_PAUSE) tests/fixtures/make-oci-image
	rm -rf $(FIXTURES)/pause-rootfs && mkdir -p $(FIXTURES)/pause-rootfs
	cp $(CRI_PAUSE) $(FIXTURES)/pause-rootfs/pause
	tests/fixtures/make-oci-image $(FIXTURES)/pause-rootfs $@ docker.io/mogu/pause:3.9 '["/pause"]'

.PHONY: cri-tools
cri-tools: $(CRI_CLIENT) $(FIXTURES)/pause-oci.tar $(FIXTURES)/busybox-oci.tar
fixtures: cri-tools
