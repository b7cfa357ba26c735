# Object rules shared by every part. Objects live under $(BUILD)/obj mirroring the source tree.

# The precompiled header (Makefile: PCH; empty, and so no prerequisite, where it is not used):
# compiled with every flag an object gets but its own -include, so the compiler accepts it for
# them; clang finds NAME.gch beside the NAME given to -include.
$(PCH_DIR)/precompiled.h.gch: mk/precompiled.h
	@mkdir -p $(@D)
	cp $< $(PCH_DIR)/precompiled.h
	$(CXX) $(CPPFLAGS) $(filter-out $(PCH_USE),$(CXXFLAGS)) -x c++-header $(PCH_DIR)/precompiled.h -o $@

$(BUILD)/obj/%.o: %.cpp | $(PCH)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -MMD -MP $(if $(SANITIZE),$(SANITIZE_FLAGS)) -c $< -o $@

comma := ,
# objs_of(sources) -> object paths
objs_of = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(1)))

# .proto -> $(PROTO_GEN)/<dir>/<name>.pb.{cc,h}, compiled to $(BUILD)/obj/gen/... (ttrpc/, shim/
# and kvm-launcher/ have protos). An object that includes a generated header gets -I$(PROTO_GEN)
# and an order-only prerequisite on that header from its part.
PROTO_GEN := $(BUILD)/gen
PROTOC    ?= protoc

$(PROTO_GEN)/%.pb.cc $(PROTO_GEN)/%.pb.h: %.proto
	@mkdir -p $(PROTO_GEN)
	$(PROTOC) -I. --cpp_out=$(PROTO_GEN) $<

$(BUILD)/obj/gen/%.pb.o: $(PROTO_GEN)/%.pb.cc | $(PCH)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -I$(PROTO_GEN) $(CXXFLAGS) -Wno-unused-parameter -c $< -o $@

proto_objs = $(patsubst %.proto,$(BUILD)/obj/gen/%.pb.o,$(1))
proto_headers = $(patsubst %.proto,$(PROTO_GEN)/%.pb.h,$(1))

# $(eval $(call binary,NAME,SOURCES,OUR_STATIC_LIBS,SYSTEM_LIBS))
define binary
BINARIES += $(BUILD)/bin/$(1)
$(BUILD)/bin/$(1): $(call objs_of,$(2)) $(3)
	@mkdir -p $$(@D)
	$$(CXX) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(3) $(4)
endef

# $(eval $(call unit_test,NAME,SOURCES,OUR_STATIC_LIBS,SYSTEM_LIBS)): a Criterion binary.
define unit_test
UNIT_TESTS += $(BUILD)/tests/unit/$(1)
$(BUILD)/tests/unit/$(1): $(call objs_of,$(2)) $(3)
	@mkdir -p $$(@D)
	$$(CXX) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(3) $(4) -lcriterion
endef
