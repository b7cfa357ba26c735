# common/: code used by more than one binary (errors, logging, JSON, OCI spec model, RAII helpers).
COMMON_SRCS := $(sort $(wildcard common/*.cpp common/oci/*.cpp))
COMMON_LIB  := $(BUILD)/lib/libmogu-common.a
# libfmt's compiled part is common/fmt_compiled.cpp (Debian ships libfmt only shared).
COMMON_LIBS := -lyajl
DEB_PACKAGES += libyajl-dev libfmt-dev libprotobuf-c-dev

$(COMMON_LIB): $(call objs_of,$(COMMON_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
