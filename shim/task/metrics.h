// A container's cgroup statistics in the types `ctr task metrics` decodes:
// io.containerd.cgroups.v1.Metrics on v1 and hybrid hosts (the memory controller is on v1),
// io.containerd.cgroups.v2.Metrics on a pure v2 host.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "shim/proto/wkt.pb.h"

namespace mogu::shim {

mogu::wkt::Any metrics_any(cgroups::Layout layout, const cgroups::Stats& stats);

}  // namespace mogu::shim
