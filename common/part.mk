# common/: code used by more than one binary (errors, logging, JSON, OCI spec model, RAII helpers).
COMMON_SRCS := $(sort $(wildcard common/*.cpp common/oci/*.cpp))
COMMON_LIB  := $(BUILD)/lib/libmogu-common.a
COMMON_LIBS := -lyajl -lfmt
DEB_PACKAGES += libyajl-dev libfmt-dev

$(COMMON_LIB): $(call objs_of,$(COMMON_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
