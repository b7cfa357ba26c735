// A container's cgroup statistics in the types `ctr task metrics` decodes:
// io.containerd.cgroups.v1.Metrics where the memory controller is on v1 (v1 and hybrid hosts),
// io.containerd.cgroups.v2.Metrics on a pure v2 host.
#pragma once

#include "shim/proto/wkt.pb.h"
#include "shim/task/cgroup_dirs.h"

namespace mogu::shim {

mogu::wkt::Any collect_metrics(const CgroupDirs& dirs);

}  // namespace mogu::shim
