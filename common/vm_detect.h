// Which containers are VM containers: asked by mogu's dispatch (runtime/cli/vm_dispatch.cpp),
// by the shim (shim/task/vm_rootfs.cpp) and by mogu-vm, so the first two need not link mogu-vm.
#pragma once

#include "common/vm_annotations.h"

#include <string>
#include <vector>

namespace mogu::vm {

// The file that makes <root>/<id> a VM container (mogu-vm's VmDir::kStateFile).
inline constexpr const char* kVmStateFile = "vm.json";

// True when <root>/<id> is a VM container (it has vm.json).
bool is_vm_container(const std::string& root, const std::string& id);

// The ids of the VM containers under root, sorted; none when root does not exist.
std::vector<std::string> list_vm_containers(const std::string& root);

// True when the bundle's config.json asks for a VM (annotation io.mogu.isolation=vm). A missing
// or broken config.json is not a VM's: whoever creates the container reports it.
bool bundle_wants_vm(const std::string& bundle);

}  // namespace mogu::vm
