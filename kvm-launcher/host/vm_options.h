// What a container's VM looks like, from its OCI spec: vCPUs and memory from linux.resources
// (defaults when unset), the rootfs mode, the kernel, the accelerator, the boot timeout. The
// annotations io.mogu.vm.* override, and the MOGU_VM_* environment sets host-wide defaults.
#pragma once

#include "common/oci/spec.h"
#include "common/vm_annotations.h"
#include "kvm-launcher/host/rootfs_export.h"

#include <string>
#include <vector>

namespace mogu::vm {

// Annotation keys. Those the runtime and the shim set (io.mogu.isolation, and the rootfs device
// the shim passes on) are in common/vm_annotations.h.
inline constexpr const char* kVcpusAnnotation = "io.mogu.vm.vcpus";
inline constexpr const char* kMemoryAnnotation = "io.mogu.vm.memory-mib";
inline constexpr const char* kRootfsAnnotation = "io.mogu.vm.rootfs";      // block | 9p
inline constexpr const char* kKernelAnnotation = "io.mogu.vm.kernel";      // version in /boot or a path
inline constexpr const char* kAccelAnnotation = "io.mogu.vm.accel";        // auto | kvm | tcg; set in `state`
inline constexpr const char* kBootTimeoutAnnotation = "io.mogu.vm.boot-timeout";  // seconds
inline constexpr const char* kMachineAnnotation = "io.mogu.vm.machine";    // auto | microvm | q35; set in `state`

// Memory the guest's kernel and agent use beside the container's limit.
inline constexpr unsigned kGuestOverheadMiB = 128;
inline constexpr unsigned kDefaultMemoryMiB = 256;
inline constexpr unsigned kDefaultVcpus = 1;
inline constexpr unsigned kMinMemoryMiB = 128;

enum class AccelChoice { automatic, kvm, tcg };
// automatic: microvm, and q35 when QEMU has no microvm.
enum class MachineChoice { automatic, microvm, q35 };

struct VmOptions {
    unsigned vcpus = kDefaultVcpus;
    unsigned memory_mib = kDefaultMemoryMiB;
    RootfsMode rootfs = RootfsMode::block;
    std::string rootfs_device;                // RootfsMode::device: the host block device
    std::string rootfs_fstype = "ext4";
    std::vector<std::string> rootfs_options;  // mount options, as containerd gives them
    std::string kernel;                       // empty: Debian's newest
    AccelChoice accel = AccelChoice::automatic;
    MachineChoice machine = MachineChoice::automatic;
    unsigned boot_timeout_s = 30;
    std::string qemu = "qemu-system-x86_64";  // $MOGU_VM_QEMU
    bool debug = false;                        // agent debug lines on the guest console
};

// Throws SpecError naming the annotation or field that is wrong.
VmOptions vm_options(const oci::Spec& spec, unsigned host_cpus);

// vCPUs for linux.resources.cpu: ceil(quota / period), else the cpuset's CPU count, else the default.
unsigned vcpus_for(const oci::Spec& spec);
// MiB for linux.resources.memory.limit plus the guest's overhead, else the default.
unsigned memory_mib_for(const oci::Spec& spec);
// The number of CPUs a cpuset list names ("0-3,6" is 5); 0 for junk.
unsigned cpuset_count(const std::string& cpus);

}  // namespace mogu::vm
