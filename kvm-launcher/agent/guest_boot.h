// What PID 1 does before it can serve: the kernel file systems, the virtio modules shipped in the
// initramfs, a tmpfs root instead of the initial ramfs (pivot_root refuses the initial ramfs, and
// the container's mount namespace needs it), and the devices the host described.
#pragma once

#include "common/fd.h"

#include <string>
#include <vector>

namespace mogu::vm::agent {

// Where the initramfs keeps its modules and the order file that lists them by load order.
inline constexpr const char* kModuleDir = "/modules";

// /proc alone, to read the kernel command line before leaving the initramfs.
void mount_proc();
// Mounts /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, cgroup2 on /sys/fs/cgroup and /run.
void mount_kernel_filesystems();
// Loads the initramfs' modules of these groups (the first word of each line of the order file:
// "base", "ext4", "9p"), in the file's order. Already loaded modules are fine.
void load_module_groups(const std::vector<std::string>& groups, bool verbose);
// Makes a fresh tmpfs the root (as switch_root does) and frees the initramfs' files: the
// container's mount namespace needs a root that pivot_root accepts, which the initial ramfs is not.
void leave_initramfs();
// The value of "name=value" on the kernel command line; empty when absent.
std::string kernel_param(const std::string& name);
// /dev/vportNpM of the virtio-serial port named `name`; waits up to timeout_ms for it to appear.
std::string find_virtio_port(const std::string& name, int timeout_ms);
// /dev/vdX of the virtio block device with this serial; waits up to timeout_ms.
std::string find_block_device(const std::string& serial, int timeout_ms);
// The release of the running kernel (uname -r).
std::string kernel_release();
// Milliseconds since the guest booted.
uint64_t uptime_ms();
// sync, then reboot: with QEMU's -no-reboot this ends the VM.
[[noreturn]] void power_off();

}  // namespace mogu::vm::agent
