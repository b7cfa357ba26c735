# kvm-launcher/: mogu-vm (runs OCI bundles in QEMU micro-VMs) and mogu-agent (PID 1 in the guest).
#   proto/   the Agent ttrpc service (ours), spoken over a virtio-serial port
#   agent/   mogu-agent: guest set-up, the service, the container through the runtime library
#   host/    the library behind mogu-vm: kernel, initramfs, accelerator, QEMU, rootfs export,
#            the keeper process, state; kvm-launcher/sandbox.h is its interface
#   cli/     mogu-vm's runc-style command line
#
# This file is read before runtime/part.mk and ttrpc/part.mk (alphabetical order), so it names
# their libraries by path; their rules exist by the time make builds. The .proto rules are in mk/rules.mk.
DEB_PACKAGES += qemu-system-x86 linux-image-amd64 e2fsprogs kmod libarchive-dev liblzma-dev zlib1g-dev libzstd-dev \
                libmd-dev libprotobuf-dev protobuf-compiler libprotobuf-c-dev libseccomp-dev libcap-dev libyajl-dev

KVM_PROTO_OBJ  := $(call proto_objs,kvm-launcher/proto/agent.proto)
KVM_PROTO_H    := $(call proto_headers,kvm-launcher/proto/agent.proto)
KVM_DEP_LIBS   := $(BUILD)/lib/libmogu-ttrpc.a $(BUILD)/lib/libmogu-runtime.a $(BUILD)/lib/libmogu-cgroups.a
KVM_HOST_SRCS  := $(sort $(wildcard kvm-launcher/host/*.cpp kvm-launcher/sandbox*.cpp))
KVM_AGENT_SRCS := $(sort $(wildcard kvm-launcher/agent/*.cpp))
KVM_CLI_SRCS   := $(sort $(wildcard kvm-launcher/cli/*.cpp))
KVM_LIB        := $(BUILD)/lib/libmogu-vm.a
KVM_LIBS       := -larchive -llzma -lz -lzstd -lmd -Wl,-Bstatic -lprotobuf-lite -lprotobuf-c -Wl,-Bdynamic -lpthread -lseccomp -lcap -lyajl -lfmt

KVM_CXX_OBJS := $(call objs_of,$(KVM_HOST_SRCS) $(KVM_AGENT_SRCS) $(KVM_CLI_SRCS) $(wildcard tests/unit/kvm/*.cpp))
$(KVM_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)
$(KVM_CXX_OBJS): | $(KVM_PROTO_H)
.SECONDARY: $(PROTO_GEN)/kvm-launcher/proto/agent.pb.cc $(KVM_PROTO_H)

$(KVM_LIB): $(call objs_of,$(KVM_HOST_SRCS)) $(KVM_PROTO_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(eval $(call binary,mogu-vm,$(KVM_CLI_SRCS),$(KVM_LIB) $(KVM_DEP_LIBS) $(COMMON_LIB),$(KVM_LIBS)))

# The agent is the guest's only program: fully static and stripped (yajl's static archive; libfmt's
# compiled half from common/fmt_compiled.cpp, in the common library). Not built with sanitizers,
# which cannot link statically.
ifeq ($(SANITIZE),)
$(BUILD)/bin/mogu-agent: $(KVM_PROTO_OBJ)
$(eval $(call binary,mogu-agent,$(KVM_AGENT_SRCS),$(KVM_DEP_LIBS) $(COMMON_LIB),\
    -static -s -Wl$(comma)--gc-sections -l:libyajl_s.a -lprotobuf-lite -lprotobuf-c -lseccomp -lcap -lpthread))
endif

ifneq ($(wildcard tests/unit/kvm/*.cpp),)
$(eval $(call unit_test,kvm,$(wildcard tests/unit/kvm/*.cpp) $(filter-out kvm-launcher/agent/main.cpp,$(KVM_AGENT_SRCS)),\
    $(KVM_LIB) $(KVM_DEP_LIBS) $(COMMON_LIB),$(KVM_LIBS)))
endif

# containerd-shim-mogu-vm-v2: the mogu shim under the name containerd looks up for the runtime
# io.containerd.mogu-vm.v2 (a Kubernetes RuntimeClass handler); by that name it runs mogu-vm.
BINARIES += $(BUILD)/bin/containerd-shim-mogu-vm-v2
$(BUILD)/bin/containerd-shim-mogu-vm-v2: $(BUILD)/bin/containerd-shim-mogu-v2
	cp -f $< $@
