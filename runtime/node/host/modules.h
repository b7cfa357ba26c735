// Whether a kernel module is loaded, built in, or on disk for the running kernel
// (/sys/module, /lib/modules/<release>/modules.builtin and modules.dep).
#pragma once

#include <string>

namespace mogu::node {

enum class ModuleState { loaded, builtin, available, absent };
const char* module_state_name(ModuleState s);  // "loaded", "built in", "not loaded (on disk)", "absent"

// `name` as modprobe takes it ("dm-thin-pool" and "dm_thin_pool" are the same module).
ModuleState module_state(const std::string& release, const std::string& name);

}  // namespace mogu::node
