// The snapshotter's block device as a VM's disk, without a copy: when the container runs in a
// VM (mogu-vm) and containerd's rootfs is one mount of a block device (a thin device), the shim
// does not mount it on the host; it names it in the bundle's config.json (annotations
// io.mogu.vm.rootfs-device, -fstype, -options) and mogu-vm hands the device to QEMU. A filesystem
// mounted by the host and by the guest at once would be corrupted. Everything else is mounted on
// the host as for runc.
#pragma once

#include "shim/task/rootfs.h"

#include <optional>
#include <string>
#include <vector>

namespace mogu::shim {

struct RootfsDevice {
    std::string device;
    std::string fstype;
    std::vector<std::string> options;
};

// The block device to pass through: set when `mounts` is exactly one mount whose source is a
// block device (stat follows /dev/mapper links); nullopt means "mount it on the host".
std::optional<RootfsDevice> rootfs_device_of(const std::vector<RootfsMount>& mounts);

// Whether the bundle's container runs in a VM: this shim is containerd-shim-mogu-vm-v2, or the
// bundle's config.json has io.mogu.isolation=vm.
bool runs_in_vm(const std::string& bundle);

// Adds the device's annotations to <bundle>/config.json (rewritten atomically, the rest kept as it
// was) and leaves <bundle>/rootfs an empty directory.
void pass_rootfs_device(const std::string& bundle, const RootfsDevice& d);

// Whether the bundle's config.json names a rootfs device (then nothing was mounted on the host).
bool rootfs_device_passed(const std::string& bundle);

}  // namespace mogu::shim
