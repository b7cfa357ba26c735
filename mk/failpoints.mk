# The fault tests' binaries (tests/integration/faults*.bats): mogu and containerd-shim-mogu-v2 with
# their failpoints compiled in (common/failpoint.h), in $(FP_BUILD)/bin.
#
# Only the files that hold failpoints differ from the release build (elsewhere failpoint() is an
# empty inline function), so only those are compiled again, with -DMOGU_FAILPOINTS, and linked
# ahead of the release build's archives: the linker then never pulls the archives' copies of
# them. A handful of compiles instead of a second build of the whole tree.
FP_BUILD ?= build-fp
FP_SRCS  := $(shell grep -lE '^[[:space:]]*failpoint."' $(RUNTIME_SRCS) $(SHIM_SRCS) 2>/dev/null)
FP_OBJS  := $(patsubst %.cpp,$(FP_BUILD)/obj/%.o,$(FP_SRCS))
FP_RUNTIME_OBJS := $(filter $(FP_BUILD)/obj/runtime/%,$(FP_OBJS))
FP_SHIM_OBJS    := $(filter $(FP_BUILD)/obj/shim/%,$(FP_OBJS))
# The shim links only the runtime's container verbs: criu and migrate are mogu's alone (and need
# C++ protobuf, which the shim does not link).
FP_SHIM_RUNTIME_OBJS := $(filter-out $(FP_BUILD)/obj/runtime/criu/% $(FP_BUILD)/obj/runtime/migrate/%,$(FP_RUNTIME_OBJS))

$(FP_BUILD)/obj/%.o: %.cpp | $(PCH)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -DMOGU_FAILPOINTS -I$(PROTO_GEN) $(CXXFLAGS) -c $< -o $@
# Shim sources include the generated protobuf-c headers (shim/proto/messages.h).
$(FP_SHIM_OBJS): | $(SHIM_PB_C_TYPES)

$(FP_BUILD)/bin/mogu: $(FP_RUNTIME_OBJS) $(call objs_of,$(CLI_SRCS)) $(NODE_LIB) $(RUNTIME_LIB) $(CGROUPS_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(MOGU_SYSLIBS)

$(FP_BUILD)/bin/containerd-shim-mogu-v2: $(FP_SHIM_OBJS) $(FP_SHIM_RUNTIME_OBJS) $(call objs_of,shim/main.cpp) $(SHIM_OUR_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(SHIM_OUR_LIBS) $(SHIM_SYSLIBS)

.PHONY: failpoint-binaries
failpoint-binaries: $(FP_BUILD)/bin/mogu $(FP_BUILD)/bin/containerd-shim-mogu-v2

-include $(shell find $(FP_BUILD) -name '*.d' 2>/dev/null)
