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
