# Object rules shared by every part. Objects live under $(BUILD)/obj mirroring the source tree.

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -MMD -MP $(if $(SANITIZE),-fsanitize=address$(comma)undefined) -c $< -o $@

comma := ,
# objs_of(sources) -> object paths
objs_of = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(1)))

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
