// A container's cgroup statistics in the types `ctr task metrics` decodes:
// io.containerd.cgroups.v1.Metrics on v1 and hybrid hosts (the memory controller is on v1),
// io.containerd.cgroups.v2.Metrics on a pure v2 host. Both carry mogu's extensions at fields
// 1000+ (cgroups_v1.proto, cgroups_v2.proto): the cgroup's PSI, where it has *.pressure files,
// and the container's own load average, where LXCFS gives it one.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/lxcfs/lxcfs.h"
#include <optional>
#include <string>

namespace mogu::shim {

// A google.protobuf.Any's two fields: the message's full name and its bytes.
struct PackedAny {
    std::string type_url, value;
};

PackedAny metrics_any(cgroups::Layout layout, const cgroups::Stats& stats,
                      const std::optional<runtime::lxcfs::LoadAverage>& load = std::nullopt);

}  // namespace mogu::shim
