// A host block device as the guest's disk, without a copy (the snapshotter's thin device, named by
// the bundle's io.mogu.vm.rootfs-device annotation): checked before the boot, then handed to QEMU
// as a raw virtio-blk drive. It belongs to whoever made it: mogu-vm never deletes it.
#pragma once

#include <sys/types.h>

#include <string>

namespace mogu::vm {

// Refuses (Error naming the annotation and the device) a path that does not exist, is not a block
// device, or whose device is mounted on the host: one ext4 mounted by two kernels gets corrupted.
void check_rootfs_device(const std::string& device);

// Where /proc/self/mountinfo text shows device `dev` mounted, or "" when it is not.
std::string mount_point_of(const std::string& mountinfo, dev_t dev);

}  // namespace mogu::vm
