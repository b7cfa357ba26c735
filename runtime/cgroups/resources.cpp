#include "runtime/cgroups/resources.h"

#include "common/error.h"
#include "common/strings.h"
#include "runtime/cgroups/convert.h"

#include <algorithm>

namespace mogu::cgroups {
namespace {

template <typename T>
void drop_zero(std::optional<T>& v) {
    if (v && *v == 0) v.reset();
}

}  // namespace

oci::Resources without_unset_values(const oci::Resources& in) {
    oci::Resources r = in;
    if (r.memory) {
        auto& m = *r.memory;
        for (auto* v : {&m.limit, &m.reservation, &m.swap, &m.kernel, &m.kernel_tcp}) drop_zero(*v);
        if (m.disable_oom_killer && !*m.disable_oom_killer) m.disable_oom_killer.reset();
        if (!memory_set(m)) r.memory.reset();
    }
    if (r.cpu) {
        auto& c = *r.cpu;
        drop_zero(c.shares);
        drop_zero(c.quota);
        drop_zero(c.period);
        drop_zero(c.realtime_runtime);
        drop_zero(c.realtime_period);
        if (!cpu_bandwidth_set(c) && !cpuset_set(c)) r.cpu.reset();
    }
    drop_zero(r.pids_limit);
    if (r.block_io) {
        auto& b = *r.block_io;
        drop_zero(b.weight);
        drop_zero(b.leaf_weight);
        for (auto& d : b.weight_device) {
            drop_zero(d.weight);
            drop_zero(d.leaf_weight);
        }
        std::erase_if(b.weight_device, [](const oci::WeightDevice& d) { return !d.weight && !d.leaf_weight; });
        if (!block_io_set(b)) r.block_io.reset();
    }
    if (r.network && !network_set(*r.network)) r.network.reset();
    return r;
}

bool has_limits(const oci::Resources& r) {
    return r.memory || r.cpu || r.pids_limit || r.block_io || !r.hugepage_limits.empty() || r.network || !r.unified.empty();
}

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
        throw SpecError("linux.resources.unified", "invalid configuration: cannot use unified on cgroup v1 (this host has no cgroup v2 hierarchy)");
}

}  // namespace mogu::cgroups
