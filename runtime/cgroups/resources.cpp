#include "runtime/cgroups/resources.h"

#include "common/error.h"
#include "common/strings.h"
#include "runtime/cgroups/convert.h"

#include <algorithm>

namespace mogu::cgroups {

bool memory_set(const oci::MemoryResources& m) {
    return m.limit || m.reservation || m.swap || m.kernel || m.kernel_tcp || m.swappiness || m.disable_oom_killer || m.use_hierarchy;
}

bool cpu_bandwidth_set(const oci::CpuResources& c) {
    return c.shares || c.quota || c.period || c.realtime_runtime || c.realtime_period || c.idle;
}

bool cpuset_set(const oci::CpuResources& c) { return !c.cpus.empty() || !c.mems.empty(); }

bool block_io_set(const oci::BlockIoResources& b) {
    return b.weight || b.leaf_weight || !b.weight_device.empty() || !b.throttle_read_bps.empty() || !b.throttle_write_bps.empty() ||
           !b.throttle_read_iops.empty() || !b.throttle_write_iops.empty();
}

bool network_set(const oci::NetworkResources& n) { return n.class_id || !n.priorities.empty(); }

void check_available(const oci::Resources& r, const Controllers& available, bool unified_available) {
    auto need = [&](bool wanted, const char* controller, const char* field) {
        if (wanted && !available.count(controller))
            throw SpecError(field, "needs the {} cgroup controller, which this host does not provide", controller);
    };
    need(r.memory && memory_set(*r.memory), "memory", "linux.resources.memory");
    need(r.cpu && cpu_bandwidth_set(*r.cpu), "cpu", "linux.resources.cpu");
    need(r.cpu && cpuset_set(*r.cpu), "cpuset", r.cpu && !r.cpu->cpus.empty() ? "linux.resources.cpu.cpus" : "linux.resources.cpu.mems");
    need(r.pids_limit.has_value(), "pids", "linux.resources.pids");
    if (r.block_io && block_io_set(*r.block_io) && !available.count("blkio") && !available.count("io"))
        throw SpecError("linux.resources.blockIO", "needs the blkio (v1) or io (v2) cgroup controller, which this host does not provide");
    need(!r.hugepage_limits.empty(), "hugetlb", "linux.resources.hugepageLimits");
    if (!r.hugepage_limits.empty()) {
        auto host = host_hugepage_sizes();
        for (size_t i = 0; i < r.hugepage_limits.size(); ++i)
            if (std::find(host.begin(), host.end(), r.hugepage_limits[i].page_size) == host.end())
                throw SpecError(fmt::format("linux.resources.hugepageLimits[{}].pageSize", i), "\"{}\" is not a huge page size of this host ({})",
                                r.hugepage_limits[i].page_size, join(host, ", "));
    }
    need(r.network && r.network->class_id.has_value(), "net_cls", "linux.resources.network.classID");
    need(r.network && !r.network->priorities.empty(), "net_prio", "linux.resources.network.priorities");
    need(!r.devices.empty(), "devices", "linux.resources.devices");
    if (!r.unified.empty() && !unified_available)
        throw SpecError("linux.resources.unified", "needs a cgroup v2 hierarchy, and this host has only cgroup v1");
}

}  // namespace mogu::cgroups
