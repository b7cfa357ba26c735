// linux.resources onto cgroup v1 files, in the order and with the checks runc's fs driver uses.
#include "common/error.h"
#include "common/log.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/convert.h"
#include "runtime/cgroups/device_rules.h"
#include "runtime/cgroups/v1.h"

#include <algorithm>

namespace mogu::cgroups::v1 {
namespace {

const std::string* dir_of(const DirMap& dirs, const std::string& controller) {
    auto it = dirs.find(controller);
    return it == dirs.end() ? nullptr : &it->second;
}

void set_memory_limit(const std::string& dir, int64_t limit) {
    if (int err = fs::try_write(dir, "memory.limit_in_bytes", std::to_string(limit))) {
        if (err == EBUSY) {
            // The kernel could not reclaim down to the new limit.
            throw SysError(err, "write \"{}\" to {}/memory.limit_in_bytes (current usage {}, peak {})", limit, dir,
                           fs::read_u64(dir, "memory.usage_in_bytes"), fs::read_u64(dir, "memory.max_usage_in_bytes"));
        }
        throw SysError(err, "write \"{}\" to {}/memory.limit_in_bytes", limit, dir);
    }
}

void set_swap_limit(const std::string& dir, int64_t memsw) {
    if (!fs::exists(dir, "memory.memsw.limit_in_bytes")) {
        if (memsw == -1) return;  // nothing to lift
        throw SpecError("linux.resources.memory.swap", "this kernel does not account swap ({}/memory.memsw.limit_in_bytes is missing; boot with swapaccount=1)", dir);
    }
    fs::write(dir, "memory.memsw.limit_in_bytes", std::to_string(memsw));
}

void apply_memory(const std::string& dir, const oci::MemoryResources& m) {
    int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);
    // "Unlimited memory" with no word on swap lifts the memory+swap limit as well.
    if (limit == -1 && swap == 0 && fs::exists(dir, "memory.memsw.limit_in_bytes")) swap = -1;
    // memsw must never drop below memory.limit: raise swap first when it grows past the current
    // memory limit, lower memory first otherwise.
    bool swap_first = false;
    if (limit != 0 && swap != 0) swap_first = swap == -1 || fs::read_u64(dir, "memory.limit_in_bytes") < static_cast<uint64_t>(swap);
    if (swap_first) set_swap_limit(dir, swap);
    if (limit != 0) set_memory_limit(dir, limit);
    if (!swap_first && swap != 0) set_swap_limit(dir, swap);

    if (m.reservation && *m.reservation != 0) fs::write(dir, "memory.soft_limit_in_bytes", std::to_string(*m.reservation));
    auto kernel_limit = [&](const char* file, int64_t value) {
        if (!fs::exists(dir, file)) {
            log::warn("{}/{} does not exist: kernel memory limit {} not applied", dir, file, value);
            return;
        }
        fs::write(dir, file, std::to_string(value));
        // Kernels since 6.0 accept the write and ignore it.
        if (value > 0 && fs::read_u64(dir, file) >= (1ULL << 62)) log::warn("this kernel does not enforce {} (set to {})", file, value);
    };
    if (m.kernel && *m.kernel != 0) kernel_limit("memory.kmem.limit_in_bytes", *m.kernel);
    if (m.kernel_tcp && *m.kernel_tcp != 0) kernel_limit("memory.kmem.tcp.limit_in_bytes", *m.kernel_tcp);
    if (m.disable_oom_killer) fs::write(dir, "memory.oom_control", "1");
    if (m.swappiness) fs::write(dir, "memory.swappiness", std::to_string(*m.swappiness));
    // Kernels since 5.x are always hierarchical: "1" is a no-op there, "0" is refused by the kernel.
    if (m.use_hierarchy && !*m.use_hierarchy) fs::write(dir, "memory.use_hierarchy", "0");
}

void apply_cpu(const std::string& dir, const oci::CpuResources& c) {
    if (c.shares && *c.shares != 0) {
        fs::write(dir, "cpu.shares", std::to_string(*c.shares));
        // The kernel clamps silently: tell the user instead.
        uint64_t got = fs::read_u64(dir, "cpu.shares");
        if (got != *c.shares)
            throw SpecError("linux.resources.cpu.shares", "{} is out of range: the kernel took it as {} (the {} allowed)", *c.shares, got,
                            *c.shares > got ? "maximum" : "minimum");
    }
    // A smaller period can be refused (EINVAL) while the old quota exceeds the parent's limit;
    // when a quota follows, retry the period after it.
    std::string period_pending;
    if (c.period && *c.period != 0) {
        std::string period = std::to_string(*c.period);
        if (int err = fs::try_write(dir, "cpu.cfs_period_us", period)) {
            if (err != EINVAL || !c.quota || *c.quota == 0) throw SysError(err, "write \"{}\" to {}/cpu.cfs_period_us", period, dir);
            period_pending = period;
        }
    }
    if (c.quota && *c.quota != 0) {
        fs::write(dir, "cpu.cfs_quota_us", std::to_string(*c.quota));
        if (!period_pending.empty()) fs::write(dir, "cpu.cfs_period_us", period_pending);
    }
    if (c.idle) fs::write(dir, "cpu.idle", std::to_string(*c.idle));
    if (c.realtime_period && *c.realtime_period != 0) fs::write(dir, "cpu.rt_period_us", std::to_string(*c.realtime_period));
    if (c.realtime_runtime && *c.realtime_runtime != 0) {
        std::string v = std::to_string(*c.realtime_runtime);
        if (int err = fs::try_write(dir, "cpu.rt_runtime_us", v))
            throw SysError(err, "write \"{}\" to {}/cpu.rt_runtime_us{}", v, dir,
                           err == EINVAL ? " (the parent cgroup's cpu.rt_runtime_us must leave room for it)" : "");
    }
}

void apply_cpuset(const std::string& dir, const oci::CpuResources& c) {
    if (!c.cpus.empty()) fs::write(dir, "cpuset.cpus", c.cpus);
    if (!c.mems.empty()) fs::write(dir, "cpuset.mems", c.mems);
}

void apply_blkio(const std::string& dir, const oci::BlockIoResources& b) {
    // BFQ exposes its own weight files; CFQ (gone since 5.0) had the plain ones.
    bool bfq = fs::exists(dir, "blkio.bfq.weight");
    std::string weight_file = bfq ? "blkio.bfq.weight" : "blkio.weight";
    std::string weight_device_file = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
    // Zero weights, which Docker always sends, were dropped by without_unset_values().
    bool weights = b.weight || std::any_of(b.weight_device.begin(), b.weight_device.end(), [](auto& d) { return d.weight.has_value(); });
    if (weights && !fs::exists(dir, weight_file))
        throw SpecError("linux.resources.blockIO.weight", "block I/O weights need the BFQ I/O scheduler; {} has neither blkio.bfq.weight nor blkio.weight", dir);
    if (b.weight && *b.weight != 0) fs::write(dir, weight_file, std::to_string(*b.weight));
    if (b.leaf_weight && *b.leaf_weight != 0) fs::write(dir, "blkio.leaf_weight", std::to_string(*b.leaf_weight));
    for (auto& d : b.weight_device) {
        if (d.weight && *d.weight != 0) fs::write(dir, weight_device_file, fmt::format("{}:{} {}", d.major, d.minor, *d.weight));
        if (d.leaf_weight && *d.leaf_weight != 0) fs::write(dir, "blkio.leaf_weight_device", fmt::format("{}:{} {}", d.major, d.minor, *d.leaf_weight));
    }
    auto throttle = [&](const char* file, const std::vector<oci::ThrottleDevice>& list) {
        for (auto& t : list) fs::write(dir, file, fmt::format("{}:{} {}", t.major, t.minor, t.rate));
    };
    throttle("blkio.throttle.read_bps_device", b.throttle_read_bps);
    throttle("blkio.throttle.write_bps_device", b.throttle_write_bps);
    throttle("blkio.throttle.read_iops_device", b.throttle_read_iops);
    throttle("blkio.throttle.write_iops_device", b.throttle_write_iops);
}

void apply_hugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& limits) {
    for (auto& l : limits) {
        std::string v = std::to_string(l.limit);
        fs::write(dir, fmt::format("hugetlb.{}.limit_in_bytes", l.page_size), v);
        // Reservations (5.7+) are limited alike, or a reservation could exceed the limit.
        std::string rsvd = fmt::format("hugetlb.{}.rsvd.limit_in_bytes", l.page_size);
        if (fs::exists(dir, rsvd)) fs::write(dir, rsvd, v);
    }
}

void apply_devices(const std::string& dir, const std::vector<oci::DeviceRule>& rules) {
    DeviceState target = device_state_of(rules);
    DeviceState current = parse_devices_list(fs::read(dir, "devices.list"));
    for (auto& w : device_transition(current, target)) fs::write(dir, w.allow ? "devices.allow" : "devices.deny", w.rule);
}

}  // namespace

void validate(const DirMap& dirs, const oci::Resources& r) {
    if (dirs.count("memory") && r.memory) {
        int64_t limit = r.memory->limit.value_or(0), swap = r.memory->swap.value_or(0);
        if (limit > 0 && swap > 0 && swap < limit)
            throw SpecError("linux.resources.memory.swap", "{} is below the memory limit {}: swap is memory+swap and must be at least the memory limit",
                            swap, limit);
    }
    if (dirs.count("devices") && !r.devices.empty()) device_state_of(r.devices);
}

void apply(const DirMap& dirs, const oci::Resources& r) {
    if (auto d = dir_of(dirs, "memory"); d && r.memory) apply_memory(*d, *r.memory);
    if (auto d = dir_of(dirs, "cpu"); d && r.cpu) apply_cpu(*d, *r.cpu);
    if (auto d = dir_of(dirs, "cpuset"); d && r.cpu) apply_cpuset(*d, *r.cpu);
    if (auto d = dir_of(dirs, "pids"); d && r.pids_limit)
        fs::write(*d, "pids.max", *r.pids_limit < 0 ? std::string("max") : std::to_string(*r.pids_limit));
    if (auto d = dir_of(dirs, "blkio"); d && r.block_io) apply_blkio(*d, *r.block_io);
    if (auto d = dir_of(dirs, "hugetlb"); d && !r.hugepage_limits.empty()) apply_hugetlb(*d, r.hugepage_limits);
    if (auto d = dir_of(dirs, "net_cls"); d && r.network && r.network->class_id)
        fs::write(*d, "net_cls.classid", std::to_string(*r.network->class_id));
    if (auto d = dir_of(dirs, "net_prio"); d && r.network)
        for (auto& [iface, prio] : r.network->priorities) fs::write(*d, "net_prio.ifpriomap", fmt::format("{} {}", iface, prio));
    if (auto d = dir_of(dirs, "devices"); d && !r.devices.empty()) apply_devices(*d, r.devices);
}

void inherit_cpuset(const std::string& mount_point, const std::string& cgroup) {
    std::string parent = mount_point;
    for (auto& part : split(cgroup, '/')) {
        if (part.empty()) continue;
        std::string dir = parent + "/" + part;
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
            if (!trim(fs::read(dir, file)).empty()) continue;
            fs::write(dir, file, std::string(trim(fs::read(parent, file))));
        }
        parent = dir;
    }
}

}  // namespace mogu::cgroups::v1
