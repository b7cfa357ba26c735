// The guest's initramfs: mogu-agent as /init, /dev/console, and the kernel's modules the agent
// needs (virtio-mmio, the console port, the rng; virtio-blk and ext4 for a block rootfs; 9p for
// a shared one), in load order. Uncompressed: under TCG, inflating costs more than reading.
// Built once per kernel and agent and cached.
#pragma once

#include "kvm-launcher/host/kernel.h"

#include <string>
#include <vector>

namespace mogu::vm {

// The module groups the agent can be asked to load (kernel parameter mogu.modules=base,ext4).
struct ModuleGroup {
    const char* name;
    std::vector<const char*> modules;
};
const std::vector<ModuleGroup>& module_groups();

// mogu-agent: $MOGU_VM_AGENT, else beside this executable. Errors say where it was looked for.
std::string find_agent_binary();

// The cached initramfs for this kernel and agent, built when missing. Errors name the module
// or file that could not be packed.
std::string initramfs_for(const Kernel& kernel, const std::string& agent_binary);

}  // namespace mogu::vm
