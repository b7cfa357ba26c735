// Statistics from cgroup v1 files, named and chosen as runc reports them.
#include "common/error.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/convert.h"
#include "runtime/cgroups/v1.h"

#include <unistd.h>

#include <tuple>

namespace mogu::cgroups::v1 {
namespace {

const std::string* dir_of(const DirMap& dirs, const std::string& controller) {
    auto it = dirs.find(controller);
    return it == dirs.end() ? nullptr : &it->second;
}

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

void memory_stats(const std::string& dir, MemoryStats& m, StatsDetail detail) {
    m.usage = fs::read_u64(dir, "memory.usage_in_bytes");
    m.limit = fs::read_u64(dir, "memory.limit_in_bytes");
    if (detail == StatsDetail::summary) {
        m.oom_kill = value_or_zero(fs::read_keyed(dir, "memory.oom_control"), "oom_kill");
        return;
    }
    m.max_usage = fs::read_u64(dir, "memory.max_usage_in_bytes");
    m.failcnt = fs::read_u64(dir, "memory.failcnt");
    // v1 counts swap together with memory (memsw): reported as the kernel gives it.
    if (fs::exists(dir, "memory.memsw.usage_in_bytes")) {
        m.swap_usage = fs::read_u64(dir, "memory.memsw.usage_in_bytes");
        m.swap_limit = fs::read_u64(dir, "memory.memsw.limit_in_bytes");
        m.swap_counts_memory = true;
    }
    if (fs::exists(dir, "memory.kmem.usage_in_bytes")) m.kernel_usage = fs::read_u64(dir, "memory.kmem.usage_in_bytes");
    m.raw = fs::read_keyed(dir, "memory.stat");
    m.cache = m.raw.count("total_cache") ? m.raw["total_cache"] : value_or_zero(m.raw, "cache");
    auto oom = fs::read_keyed(dir, "memory.oom_control");
    m.oom_kill = value_or_zero(oom, "oom_kill");
    // v1 keeps no count of OOM events: kills, plus one while the cgroup sits in OOM with the
    // killer disabled.
    m.oom_events = m.oom_kill + value_or_zero(oom, "under_oom");
}

std::vector<uint64_t> numbers(const std::string& text, const std::string& where) {
    std::vector<uint64_t> out;
    for (auto& w : split(std::string(trim(text)), ' '))
        if (!w.empty()) out.push_back(fs::parse_u64(w, where));
    return out;
}

void cpuacct_stats(const std::string& dir, CpuStats& c, StatsDetail detail) {
    c.total_ns = fs::read_u64(dir, "cpuacct.usage");
    if (detail == StatsDetail::summary) return;
    c.percpu_ns = numbers(fs::read(dir, "cpuacct.usage_percpu"), dir + "/cpuacct.usage_percpu");
    if (fs::exists(dir, "cpuacct.usage_user")) {
        c.user_ns = fs::read_u64(dir, "cpuacct.usage_user");
        c.kernel_ns = fs::read_u64(dir, "cpuacct.usage_sys");
    } else {
        // Older kernels give user/system only in USER_HZ ticks.
        auto st = fs::read_keyed(dir, "cpuacct.stat");
        uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
        c.user_ns = value_or_zero(st, "user") * ns_per_tick;
        c.kernel_ns = value_or_zero(st, "system") * ns_per_tick;
    }
}

void throttling_stats(const std::string& dir, CpuStats& c) {
    auto st = fs::read_keyed(dir, "cpu.stat");
    c.periods = value_or_zero(st, "nr_periods");
    c.throttled_periods = value_or_zero(st, "nr_throttled");
    c.throttled_ns = value_or_zero(st, "throttled_time");
}

// "8:0 Read 4096" lines; the closing "Total N" line has no device.
std::vector<BlkioEntry> blkio_entries(const std::string& text) {
    std::vector<BlkioEntry> out;
    for (auto& line : split(text, '\n')) {
        auto f = split(std::string(trim(line)), ' ');
        if (f.size() < 2) continue;
        auto colon = f[0].find(':');
        if (colon == std::string::npos) continue;
        auto major = parse_uint(std::string_view(f[0]).substr(0, colon)), minor = parse_uint(std::string_view(f[0]).substr(colon + 1));
        auto value = parse_uint(f.back());
        if (!major || !minor || !value) continue;
        out.push_back(BlkioEntry{*major, *minor, f.size() == 3 ? f[1] : "", *value});
    }
    return out;
}

void blkio_stats(const std::string& dir, BlkioStats& b, StatsDetail detail) {
    // The first family whose files exist and have entries wins: BFQ, then CFQ (their files exist
    // but stay empty when the devices use another scheduler), then the throttling layer, which
    // sees every I/O: its recursive file, where it exists, is the answer even when empty (the
    // cgroup's own file counts a subset of it).
    static const std::tuple<const char*, const char*, bool> families[] = {
        {"blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive", false},
        {"blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive", false},
        {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive", true},
        {"blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced", true},
    };
    for (auto [bytes_file, ios_file, final_answer] : families) {
        auto bytes = fs::read_if_exists(dir, bytes_file, fs::Records::one);
        if (!bytes) continue;
        auto entries = blkio_entries(*bytes);
        if (entries.empty() && !final_answer) continue;
        b.io_service_bytes = std::move(entries);
        if (detail == StatsDetail::summary) return;
        if (auto ios = fs::read_if_exists(dir, ios_file, fs::Records::one)) b.io_serviced = blkio_entries(*ios);
        return;
    }
}

void hugetlb_stats(const std::string& dir, std::map<std::string, HugetlbStats>& h) {
    for (auto& size : host_hugepage_sizes()) {
        std::string prefix = "hugetlb." + size + ".";
        if (!fs::exists(dir, prefix + "usage_in_bytes")) continue;
        HugetlbStats s;
        s.usage = fs::read_u64(dir, prefix + "usage_in_bytes");
        s.max_usage = fs::read_u64(dir, prefix + "max_usage_in_bytes");
        s.failcnt = fs::read_u64(dir, prefix + "failcnt");
        h[size] = s;
    }
}

}  // namespace

void fill_stats(const DirMap& dirs, Stats& s, StatsDetail detail) {
    bool full = detail == StatsDetail::full;
    if (auto d = dir_of(dirs, "memory")) memory_stats(*d, s.memory, detail);
    if (auto d = dir_of(dirs, "cpuacct")) cpuacct_stats(*d, s.cpu, detail);
    if (auto d = dir_of(dirs, "cpu"); d && full) throttling_stats(*d, s.cpu);
    if (auto d = dir_of(dirs, "pids")) {
        s.pids.current = fs::read_u64(*d, "pids.current");
        uint64_t max = fs::read_u64(*d, "pids.max");
        s.pids.limit = max == UINT64_MAX ? 0 : max;
    }
    if (auto d = dir_of(dirs, "blkio")) blkio_stats(*d, s.blkio, detail);
    if (auto d = dir_of(dirs, "hugetlb"); d && full) hugetlb_stats(*d, s.hugetlb);
}

}  // namespace mogu::cgroups::v1
