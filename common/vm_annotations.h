// The annotations mogu's dispatch and the shim set or read for mogu-vm, which they do not link;
// mogu-vm's own io.mogu.vm.* keys are in kvm-launcher/host/vm_options.h.
#pragma once

namespace mogu::vm {

inline constexpr const char* kIsolationAnnotation = "io.mogu.isolation";  // "vm" sends a container to mogu-vm

// A host block device (the snapshotter's thin device) as the guest's disk, no copy; its
// filesystem type and comma-separated mount options. The shim sets them from the rootfs mount.
inline constexpr const char* kRootfsDeviceAnnotation = "io.mogu.vm.rootfs-device";
inline constexpr const char* kRootfsFstypeAnnotation = "io.mogu.vm.rootfs-fstype";    // ext4 (default), ext3, ext2
inline constexpr const char* kRootfsOptionsAnnotation = "io.mogu.vm.rootfs-options";

// In `mogu-vm state` of a stopped container: the OOM killer acted in its cgroup in the guest.
// The shim turns it into containerd's /tasks/oom before the exit (the CRI's "OOMKilled").
inline constexpr const char* kOomKilledAnnotation = "io.mogu.vm.oom-killed";

}  // namespace mogu::vm
