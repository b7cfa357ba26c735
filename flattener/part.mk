# flattener/: mogu-flatten, squashes an image's layers into one (OCI layout or docker-archive).
FLATTEN_SRCS := $(sort $(wildcard flattener/*.cpp))
FLATTEN_LIBS := $(COMMON_LIBS) -larchive -lcrypto -ldeflate -lisal -lzstd -lpthread
# umoci, skopeo, containerd, attr, zstd: tests; debootstrap, pigz: make bench.
DEB_PACKAGES += libarchive-dev libssl-dev libdeflate-dev libisal-dev zlib1g-dev libzstd-dev umoci skopeo containerd jq attr zstd debootstrap pigz

$(eval $(call binary,mogu-flatten,$(FLATTEN_SRCS),$(COMMON_LIB),$(FLATTEN_LIBS)))
# The unit tests read gzip back with zlib, an independent implementation.
$(eval $(call unit_test,flatten,$(wildcard tests/unit/flatten/*.cpp) $(filter-out flattener/main.cpp,$(FLATTEN_SRCS)),$(COMMON_LIB),$(FLATTEN_LIBS) -lz))

# Tools the fixture builder and the flatten tests use (not installed): mktar writes layer tars
# from a line-based description, treesum prints one comparable line per file of a tree.
FLATTEN_TOOLS := $(BUILD)/tests/tools/mogu-mktar $(BUILD)/tests/tools/mogu-treesum
$(BUILD)/tests/tools/mogu-mktar: $(call objs_of,tests/fixtures/images/tools/mktar.cpp) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(COMMON_LIB) $(COMMON_LIBS) -larchive
$(BUILD)/tests/tools/mogu-treesum: $(call objs_of,tests/fixtures/images/tools/treesum.cpp) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(COMMON_LIB) $(COMMON_LIBS) -lcrypto

# make fixtures-images: the multi-layer images of tests/fixtures/images (umoci, skopeo).
.PHONY: fixtures-images
fixtures-images: tests/fixtures/out/images/.built
fixtures: fixtures-images
tests/fixtures/out/images/.built: tests/fixtures/images/build $(wildcard tests/fixtures/images/*.layers) $(FLATTEN_TOOLS) \
    tests/fixtures/out/rootfs/bin/busybox
	TOOLS=$(BUILD)/tests/tools tests/fixtures/images/build tests/fixtures/out/images
