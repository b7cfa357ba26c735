// linux.resources onto cgroup v2 files. The spec speaks cgroup v1; values are translated as runc
// does (convert.h), and linux.resources.unified is written last so it can override.
#include "common/error.h"
#include "common/log.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/convert.h"
#include "runtime/cgroups/device_filter_bpf.h"
#include "runtime/cgroups/device_rules.h"
#include "runtime/cgroups/v2.h"

#include <algorithm>
#include <cstring>

namespace mogu::cgroups::v2 {
namespace {

// A missing file on v2 usually means the controller is not enabled for this cgroup: say so.
void write(const std::string& dir, const std::string& file, const std::string& value) {
    int err = fs::try_write(dir, file, value);
    if (!err) return;
    std::string controller = file.substr(0, file.find('.'));
    if (err == ENOENT && controller != "cgroup") {
        auto enabled = fs::read_if_exists(dir, "cgroup.controllers");
        auto list = enabled ? split(std::string(trim(*enabled)), ' ') : std::vector<std::string>{};
        if (enabled && std::find(list.begin(), list.end(), controller) == list.end())
            throw Error("write \"{}\" to {}/{}: the {} controller is not enabled for this cgroup (it is not in its cgroup.controllers; "
                        "the parent's cgroup.subtree_control must list it)",
                        value, dir, file, controller);
    }
    throw SysError(err, "write \"{}\" to {}/{}", value, dir, file);
}

void apply_memory(const std::string& dir, const oci::MemoryResources& m) {
    int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0), reservation = m.reservation.value_or(0);
    if (limit != 0 || swap != 0 || reservation != 0) {
        int64_t swap2 = memory_swap_to_v2(swap, limit);
        std::string swap_value = swap2 != 0 ? v2_limit(swap2) : swap > 0 ? "0" : "";  // memory == memory+swap: no swap
        if (!swap_value.empty()) {
            int err = fs::try_write(dir, "memory.swap.max", swap_value);
            // Without swap accounting there is nothing to lift or to forbid.
            if (err && !(err == ENOENT && (swap_value == "max" || swap_value == "0"))) write(dir, "memory.swap.max", swap_value);
        }
        if (limit != 0) write(dir, "memory.max", v2_limit(limit));
        if (reservation != 0) write(dir, "memory.low", v2_limit(reservation));
    }
    // cgroup v2 has no knob for these; runc ignores them too.
    if (m.kernel || m.kernel_tcp) log::warn("cgroup v2 has no kernel memory limit: linux.resources.memory.kernel/kernelTCP ignored");
    if (m.swappiness) log::warn("cgroup v2 has no per-cgroup swappiness: linux.resources.memory.swappiness ignored");
    if (m.disable_oom_killer && *m.disable_oom_killer) log::warn("cgroup v2 cannot disable the OOM killer: linux.resources.memory.disableOOMKiller ignored");
}

void apply_cpu(const std::string& dir, const oci::CpuResources& c) {
    if (c.shares && *c.shares != 0) write(dir, "cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares)));
    if (c.idle) write(dir, "cpu.idle", std::to_string(*c.idle));
    uint64_t period = c.period.value_or(0);
    int64_t quota = c.quota.value_or(0);
    if (quota != 0 || period != 0) {
        std::string value = quota > 0 ? std::to_string(quota) : "max";
        if (period != 0) value += " " + std::to_string(period);
        write(dir, "cpu.max", value);
    }
}

void apply_io(const std::string& dir, const oci::BlockIoResources& b) {
    // BFQ takes blkio-scale weights as they are; io.weight (iocost) wants them converted.
    bool bfq = fs::exists(dir, "io.bfq.weight");
    if (b.weight && *b.weight != 0)
        write(dir, bfq ? "io.bfq.weight" : "io.weight", std::to_string(bfq ? *b.weight : blkio_weight_to_io_weight(*b.weight)));
    for (auto& d : b.weight_device)
        if (d.weight && *d.weight != 0)
            write(dir, bfq ? "io.bfq.weight" : "io.weight",
                  fmt::format("{}:{} {}", d.major, d.minor, bfq ? *d.weight : blkio_weight_to_io_weight(*d.weight)));
    if (b.leaf_weight || std::any_of(b.weight_device.begin(), b.weight_device.end(), [](auto& d) { return d.leaf_weight.has_value(); }))
        log::warn("cgroup v2 has no leaf weights: linux.resources.blockIO leafWeight ignored");
    auto throttle = [&](const char* key, const std::vector<oci::ThrottleDevice>& list) {
        for (auto& t : list) write(dir, "io.max", fmt::format("{}:{} {}={}", t.major, t.minor, key, t.rate));
    };
    throttle("rbps", b.throttle_read_bps);
    throttle("wbps", b.throttle_write_bps);
    throttle("riops", b.throttle_read_iops);
    throttle("wiops", b.throttle_write_iops);
}

void apply_hugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& limits) {
    for (auto& l : limits) {
        std::string v = std::to_string(l.limit);
        write(dir, fmt::format("hugetlb.{}.max", l.page_size), v);
        std::string rsvd = fmt::format("hugetlb.{}.rsvd.max", l.page_size);
        if (fs::exists(dir, rsvd)) write(dir, rsvd, v);
    }
}

void apply_devices(const std::string& dir, const std::vector<oci::DeviceRule>& rules) {
    auto program = device_filter_program(device_state_of(rules));
    UniqueFd prog = load_device_filter(program);
    attach_device_filter(dir, prog.get());
}

// Keys that would move processes, kill or freeze them behind the runtime's back.
bool reserved_unified_key(const std::string& key) {
    return key == "cgroup.procs" || key == "cgroup.threads" || key == "cgroup.kill" || key == "cgroup.freeze";
}

void validate_unified(const Controllers& owned, const std::map<std::string, std::string>& unified) {
    for (auto& [key, value] : unified) {
        std::string field = "linux.resources.unified." + key;
        if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..")
            throw SpecError(field, "\"{}\" is not a cgroup file name", key);
        auto dot = key.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
            throw SpecError(field, "\"{}\" must be <controller>.<file>, e.g. memory.high", key);
        if (reserved_unified_key(key)) throw SpecError(field, "{} is managed by the runtime and cannot be set here", key);
        std::string controller = key.substr(0, dot);
        // owned also names what v2 does without a controller of that name (devices, freezer, cpuacct).
        bool real = owned.count(controller) && controller != "devices" && controller != "freezer" && controller != "cpuacct";
        if (controller != "cgroup" && !real)
            throw SpecError(field, "invalid configuration: the {} controller is not on this host's cgroup v2 hierarchy (it is a cgroup v1 one here)", controller);
    }
}

}  // namespace

void validate(const Controllers& owned, const oci::Resources& r) {
    validate_unified(owned, r.unified);
    if (owned.count("cpu") && r.cpu) {
        auto& c = *r.cpu;
        if ((c.realtime_runtime && *c.realtime_runtime != 0) || (c.realtime_period && *c.realtime_period != 0))
            throw SpecError(c.realtime_runtime ? "linux.resources.cpu.realtimeRuntime" : "linux.resources.cpu.realtimePeriod",
                            "invalid configuration: realtime scheduling limits exist only on cgroup v1, and this host's cpu controller is on cgroup v2");
    }
    if (owned.count("memory") && r.memory) memory_swap_to_v2(r.memory->swap.value_or(0), r.memory->limit.value_or(0));
    if (owned.count("devices") && !r.devices.empty()) device_state_of(r.devices);
}

void apply(const std::string& dir, const Controllers& owned, const oci::Resources& r) {
    auto has = [&](const char* c) { return owned.count(c) != 0; };
    if (has("pids") && r.pids_limit) write(dir, "pids.max", *r.pids_limit < 0 ? std::string("max") : std::to_string(*r.pids_limit));
    if (has("memory") && r.memory) apply_memory(dir, *r.memory);
    if (has("io") && r.block_io) apply_io(dir, *r.block_io);
    if (has("cpu") && r.cpu) apply_cpu(dir, *r.cpu);
    if (has("devices") && !r.devices.empty()) apply_devices(dir, r.devices);
    if (has("cpuset") && r.cpu) {
        if (!r.cpu->cpus.empty()) write(dir, "cpuset.cpus", r.cpu->cpus);
        if (!r.cpu->mems.empty()) write(dir, "cpuset.mems", r.cpu->mems);
    }
    if (has("hugetlb") && !r.hugepage_limits.empty()) apply_hugetlb(dir, r.hugepage_limits);
    for (auto& [key, value] : r.unified) write(dir, key, value);
}

void enable_controllers(const std::string& mount_point, const std::string& cgroup, const Controllers& controllers) {
    if (controllers.empty()) return;
    std::string dir = mount_point;
    auto parts = split(cgroup, '/');
    std::erase(parts, std::string());
    for (size_t i = 0; i < parts.size(); ++i) {
        auto current = fs::read_if_exists(dir, "cgroup.subtree_control");
        auto enabled = current ? split(std::string(trim(*current)), ' ') : std::vector<std::string>{};
        auto available = fs::read_if_exists(dir, "cgroup.controllers");
        auto possible = available ? split(std::string(trim(*available)), ' ') : std::vector<std::string>{};
        for (auto& c : controllers) {
            if (std::find(possible.begin(), possible.end(), c) == possible.end()) continue;
            if (std::find(enabled.begin(), enabled.end(), c) != enabled.end()) continue;
            // Best effort: a parent with processes of its own, or one we may not write, keeps
            // the controller to itself; apply() names the missing file if a limit needs it.
            if (int err = fs::try_write(dir, "cgroup.subtree_control", "+" + c))
                log::debug("enable {} in {}/cgroup.subtree_control: {}", c, dir, std::strerror(err));
        }
        dir += "/" + parts[i];
    }
}

}  // namespace mogu::cgroups::v2
