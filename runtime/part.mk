# runtime/: the mogu binary (cli/) over the runtime library (lifecycle, linux/, cgroups/, ...).

# cgroups/ is its own library: the shim links it for stats and OOM events.
CGROUPS_SRCS := $(sort $(wildcard runtime/cgroups/*.cpp))
CGROUPS_LIB  := $(BUILD)/lib/libmogu-cgroups.a

$(CGROUPS_LIB): $(call objs_of,$(CGROUPS_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

ifneq ($(wildcard tests/unit/cgroups/*.cpp),)
$(eval $(call unit_test,cgroups,$(wildcard tests/unit/cgroups/*.cpp),$(CGROUPS_LIB) $(COMMON_LIB),$(COMMON_LIBS)))
endif

# criu 4.1 (checkpoint/restore), built by `make deps` from Debian trixie's source into a private
# prefix: Debian 12's criu 3.17 cannot dump on this kernel. runtime/criu/build-criu applies our
# fixes (runtime/criu/patches/) and does nothing when a working criu of the series, built with
# those patches, is there. Its build dependencies come from Debian 12.
CRIU_PREFIX ?= /opt/mogu/criu
DEB_PACKAGES += libbsd-dev libcap-dev libgnutls28-dev libnet1-dev libnftables-dev libnl-3-dev libprotobuf-c-dev \
                libprotobuf-dev pkgconf protobuf-c-compiler protobuf-compiler uuid-dev iptables patch
.PHONY: deps-criu
deps: deps-criu
deps-criu: deps-packages
	@runtime/criu/build-criu $(CRIU_PREFIX)

# criu's RPC messages (runtime/criu/rpc.proto, from criu's images/rpc.proto).
CRIU_PROTO_OBJ := $(call proto_objs,runtime/criu/rpc.proto)
CRIU_PROTO_H   := $(call proto_headers,runtime/criu/rpc.proto)
.SECONDARY: $(PROTO_GEN)/runtime/criu/rpc.pb.cc $(CRIU_PROTO_H)

# The runtime library (everything but the CLI) and the mogu binary.
RUNTIME_SRCS := $(sort $(wildcard runtime/*.cpp runtime/linux/*.cpp runtime/security/*.cpp runtime/lxcfs/*.cpp runtime/top/*.cpp runtime/criu/*.cpp runtime/migrate/*.cpp))
RUNTIME_LIB  := $(BUILD)/lib/libmogu-runtime.a
RUNTIME_LIBS := -lseccomp -lcap -lprotobuf-lite -lz -lsqlite3 -lpthread
CRIU_CXX_OBJS := $(call objs_of,$(filter runtime/criu/%,$(RUNTIME_SRCS)))
$(CRIU_CXX_OBJS): CPPFLAGS += -I$(PROTO_GEN)/runtime/criu -DMOGU_CRIU_PREFIX='"$(CRIU_PREFIX)"'
$(CRIU_CXX_OBJS): | $(CRIU_PROTO_H)
CLI_SRCS     := $(sort $(wildcard runtime/cli/*.cpp))

# node/: `mogu check` and `mogu tune`. The pure logic (node/*.cpp: kernel config, versions,
# profiles, the report) has its own unit tests; node/host/ probes and changes the machine.
NODE_PURE_SRCS := $(sort $(wildcard runtime/node/*.cpp))
NODE_SRCS      := $(NODE_PURE_SRCS) $(sort $(wildcard runtime/node/host/*.cpp))
NODE_LIB       := $(BUILD)/lib/libmogu-node.a
$(NODE_LIB): $(call objs_of,$(NODE_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
ifneq ($(wildcard tests/unit/node/*.cpp),)
$(eval $(call unit_test,node,$(wildcard tests/unit/node/*.cpp) $(NODE_PURE_SRCS),$(COMMON_LIB),$(COMMON_LIBS)))
endif
DEB_PACKAGES += libseccomp-dev libcap-dev runc crun time util-linux lxcfs strace zlib1g-dev libtomlplusplus-dev libsqlite3-dev

$(RUNTIME_LIB): $(call objs_of,$(RUNTIME_SRCS)) $(CRIU_PROTO_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# mogu check reads mogu-snapshotter's SQLite database: the static libsqlite3 makes ld warn that
# its extension loading needs dlopen, which nothing in mogu calls.
# mogu is linked statically outside sanitizer builds: no dynamic loader at every container
# start (symbol lookup was ~70% of the instructions of a `mogu state`), one file to install.
MOGU_SYSLIBS := $(if $(SANITIZE),$(RUNTIME_LIBS) $(COMMON_LIBS),-static -Wl,--gc-sections -l:libseccomp.a -l:libcap.a -l:libyajl_s.a -l:libprotobuf-lite.a -l:libz.a -l:libsqlite3.a -lm -lpthread)
$(eval $(call binary,mogu,$(CLI_SRCS),$(NODE_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB),$(MOGU_SYSLIBS)))

ifneq ($(wildcard tests/unit/runtime/*.cpp),)
$(eval $(call unit_test,runtime,$(wildcard tests/unit/runtime/*.cpp) $(filter-out runtime/cli/main.cpp,$(CLI_SRCS)),$(NODE_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB),$(RUNTIME_LIBS) $(COMMON_LIBS)))
endif
