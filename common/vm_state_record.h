// What mogu-vm records of a VM container in <root>/<id>/vm.json and, once it ended, exit.json,
// and their JSON: written by mogu-vm (kvm-launcher/host/vm_state.h, which owns the directory)
// and read by whoever looks at VM containers without linking mogu-vm (mogu-monitor reads their
// host cgroups, and their guests' OOM kills from exit.json).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace mogu::vm {

struct VmState {
    std::string id;
    std::string bundle;
    std::string rootfs;         // the host rootfs the guest was given
    std::string created;        // RFC 3339
    pid_t pid = 0;              // the keeper: QEMU's parent, exits with the container's exit code
    uint64_t pid_start = 0;
    pid_t qemu_pid = 0;
    uint64_t qemu_start = 0;
    std::string accel;          // kvm | tcg
    std::string machine;        // microvm | q35
    std::string kernel;         // the guest's uname -r
    unsigned vcpus = 0, memory_mib = 0;
    std::string rootfs_mode;    // block | 9p | device
    std::string image;          // the ext4 image file to remove, if any
    std::string cgroup;         // the keeper's cgroup on the host (relative to the hierarchies' roots)
    // A Kubernetes pod in one VM. Its sandbox boots the VM and exports pod_share (virtio-9p);
    // each other container of the pod names the sandbox, has no QEMU of its own, and its rootfs
    // and directories are bound under pod_share (its own subdirectory of the sandbox's).
    std::string sandbox;        // for a pod's container: the sandbox whose VM holds it
    std::string pod_share;
    std::map<std::string, std::string> annotations;  // the spec's
};

std::string state_to_json(const VmState& s);
VmState state_from_json(const std::string& text, const std::string& source);

// The end of a container as its keeper recorded it: <root>/<id>/exit.json.
inline constexpr const char* kVmExitFile = "exit.json";

struct VmExit {
    int exit_code = 255;
    std::string error;        // why the VM ended without the container's own exit status
    bool oom_killed = false;  // the OOM killer acted in the container's cgroup in the guest
    std::string oom_process;  // the last process it killed there (the guest's comm), when logged
    int oom_pid = 0;          // and its pid in the guest
};

std::string exit_to_json(const VmExit& e);
VmExit exit_from_json(const std::string& text, const std::string& source);

}  // namespace mogu::vm
