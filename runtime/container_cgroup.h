// Glue between a container and the cgroups library: where its cgroup is and how to reach it.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

#include <memory>

namespace mogu::runtime {

cgroups::Manager& cgroup_manager(const Context& ctx);
// The container's cgroup, or nullptr when it is gone (an already-deleted directory).
std::unique_ptr<cgroups::Cgroup> open_container_cgroup(const Context& ctx, const ContainerState& st);

}  // namespace mogu::runtime
