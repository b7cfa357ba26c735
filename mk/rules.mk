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

# .proto -> $(PROTO_GEN)/<dir>/<name>.pb-c.{c,h} with protobuf-c: C structs and descriptors over
# a small C runtime, for the shim and ttrpc's wire messages (no C++ protobuf runtime in the shim;
# common/protobuf_c.h is how C++ code uses them). NDEBUG: the generated code's asserts only check
# that a message passed in is of its type, and assert() alone brings glibc's wide-character
# printf into a static binary.
PROTOC_C  ?= protoc-c

$(PROTO_GEN)/%.pb-c.c $(PROTO_GEN)/%.pb-c.h: %.proto
	@mkdir -p $(PROTO_GEN)
	$(PROTOC_C) -I. --c_out=$(PROTO_GEN) $<

$(BUILD)/obj/gen/%.pb-c.o: $(PROTO_GEN)/%.pb-c.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(PROTO_GEN) -DNDEBUG -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter $(if $(SANITIZE),-O2 -g,$(OPT)) -fPIC -MMD -MP $(if $(SANITIZE),$(SANITIZE_FLAGS)) -c $< -o $@

proto_c_objs = $(patsubst %.proto,$(BUILD)/obj/gen/%.pb-c.o,$(1))
proto_c_headers = $(patsubst %.proto,$(PROTO_GEN)/%.pb-c.h,$(1))

# $(eval $(call protobuf_c_types,HEADER,PROTOS)): $(PROTO_GEN)/HEADER declares the descriptor of
# every message of PROTOS for common/protobuf_c.h (mk/protobuf-c-types).
define protobuf_c_types
$(PROTO_GEN)/$(1): mk/protobuf-c-types $(call proto_c_headers,$(2))
	@mkdir -p $$(@D)
	mk/protobuf-c-types -v gen=$(PROTO_GEN)/ $(call proto_c_headers,$(2)) >$$@.tmp && mv $$@.tmp $$@
endef

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
