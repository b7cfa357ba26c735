// A container's status, derived from what is true now rather than what was written down:
// its init alive (same pid and start time), the exec FIFO present, its cgroup frozen.
#pragma once

#include "runtime/runtime.h"
#include "runtime/state.h"

namespace mogu::runtime {

Status current_status(const Context& ctx, const ContainerDir& dir, const ContainerState& st);

}  // namespace mogu::runtime
