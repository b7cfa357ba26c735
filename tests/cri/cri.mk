# tests/cri/: what the CRI suite needs besides containerd: the pause binary and its image,
# Debian's CNI plugins.
DEB_PACKAGES += containernetworking-plugins iproute2 iptables

# The sandbox's pause process, static, in an image of its own (no registry: we make it here).
CRI_PAUSE := $(BUILD)/tests/tools/mogu-pause
$(CRI_PAUSE): tests/cri/pause.c
	@mkdir -p $(@D)
	$(CC) -static -Os -Wall -Wextra -Werror -o $@ $<

$(FIXTURES)/pause-oci.tar: $(CRI_PAUSE) tests/fixtures/make-oci-image
	rm -rf $(FIXTURES)/pause-rootfs && mkdir -p $(FIXTURES)/pause-rootfs
	cp $(CRI_PAUSE) $(FIXTURES)/pause-rootfs/pause
	tests/fixtures/make-oci-image $(FIXTURES)/pause-rootfs $@ docker.io/mogu/pause:3.9 '["/pause"]'

.PHONY: cri-tools
cri-tools: $(FIXTURES)/pause-oci.tar $(FIXTURES)/busybox-oci.tar
fixtures: cri-tools
