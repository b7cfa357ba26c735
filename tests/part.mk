# tests/: fixtures every suite uses, and the unit tests of common/.
FIXTURES := tests/fixtures/out
DEB_PACKAGES += bats jq busybox-static file python3 bsdutils util-linux passwd

fixtures: $(FIXTURES)/rootfs/bin/busybox $(FIXTURES)/tools-rootfs/usr/bin/free $(BUILD)/tests/tools/mogu-syscall \
          $(BUILD)/tests/tools/mogu-lock-writer $(BUILD)/tests/tools/mogu-vfork-waiter $(BUILD)/tests/tools/mogu-dirtier

# The busybox rootfs with the host's procps and sysstat: what the LXCFS tests run inside.
DEB_PACKAGES += procps sysstat tmux
$(FIXTURES)/tools-rootfs/usr/bin/free: tests/fixtures/make-tools-rootfs $(FIXTURES)/rootfs/bin/busybox
	tests/fixtures/make-tools-rootfs $(FIXTURES)/rootfs $(FIXTURES)/tools-rootfs

# A static helper the seccomp tests copy into a container: calls syscalls by number.
$(BUILD)/tests/tools/mogu-syscall: tests/integration/helpers/syscall.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# The checkpoint tests' process with a file lock and an open file.
$(BUILD)/tests/tools/mogu-lock-writer: tests/integration/helpers/lock_writer.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# The checkpoint tests' process caught between vfork and exec.
$(BUILD)/tests/tools/mogu-vfork-waiter: tests/integration/helpers/vfork_waiter.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# The migration bench's process: holds memory and dirties it at a steady rate.
$(BUILD)/tests/tools/mogu-dirtier: tests/integration/helpers/dirtier.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(FIXTURES)/rootfs/bin/busybox: tests/fixtures/make-rootfs
	tests/fixtures/make-rootfs $(FIXTURES)/rootfs

$(eval $(call unit_test,common,$(wildcard tests/unit/common/*.cpp),$(COMMON_LIB),$(COMMON_LIBS)))

# tests/vm/: the guest-kernel harness boots Debian's kernel under QEMU with a busybox initramfs.
DEB_PACKAGES += qemu-system-x86 linux-image-amd64 cpio xz-utils kmod
# tests/vm/suites/node.sh makes a snapshotter database and thin pools in the guest.
DEB_PACKAGES += sqlite3 dmsetup
