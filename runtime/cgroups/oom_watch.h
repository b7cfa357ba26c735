#pragma once

#include "runtime/cgroups/cgroup.h"

#include <memory>
#include <string>

namespace mogu::cgroups {

// `memory_dir`: the container's directory in the v1 memory hierarchy.
std::unique_ptr<OomWatcher> watch_oom_v1(const std::string& memory_dir);
// `dir`: the container's cgroup v2 directory (memory controller enabled).
std::unique_ptr<OomWatcher> watch_oom_v2(const std::string& dir);

}  // namespace mogu::cgroups
