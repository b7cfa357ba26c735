// Statistics from cgroup v2 files, in the same Stats shape as v1.
#include "common/error.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/convert.h"
#include "runtime/cgroups/v2.h"

#include <algorithm>
#include <iterator>
#include <cstdlib>

namespace mogu::cgroups::v2 {
namespace {

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

void memory_stats(const std::string& dir, MemoryStats& m, StatsDetail detail) {
    m.usage = fs::read_u64(dir, "memory.current");
    if (detail == StatsDetail::summary) {
        m.limit = fs::read_u64(dir, "memory.max");
        m.oom_kill = value_or_zero(fs::read_keyed(dir, "memory.events"), "oom_kill");
        return;
    }
    if (fs::exists(dir, "memory.peak")) m.max_usage = fs::read_u64(dir, "memory.peak");  // 5.19+
    m.limit = fs::read_u64(dir, "memory.max");
    // v2 counts swap apart from memory.
    if (fs::exists(dir, "memory.swap.current")) {
        m.swap_usage = fs::read_u64(dir, "memory.swap.current");
        m.swap_limit = fs::read_u64(dir, "memory.swap.max");
    }
    m.raw = fs::read_keyed(dir, "memory.stat");
    m.cache = value_or_zero(m.raw, "file");
    m.kernel_usage = m.raw.count("kernel") ? m.raw["kernel"] : value_or_zero(m.raw, "kernel_stack") + value_or_zero(m.raw, "slab");
    auto events = fs::read_keyed(dir, "memory.events");
    m.failcnt = value_or_zero(events, "max");
    m.oom_events = value_or_zero(events, "oom");
    m.oom_kill = value_or_zero(events, "oom_kill");
}

void cpu_stats(const std::string& dir, CpuStats& c) {
    // usage/user/system are there without the cpu controller; the throttling keys only with it.
    auto st = fs::read_keyed(dir, "cpu.stat");
    c.total_ns = value_or_zero(st, "usage_usec") * 1000;
    c.user_ns = value_or_zero(st, "user_usec") * 1000;
    c.kernel_ns = value_or_zero(st, "system_usec") * 1000;
    c.periods = value_or_zero(st, "nr_periods");
    c.throttled_periods = value_or_zero(st, "nr_throttled");
    c.throttled_ns = value_or_zero(st, "throttled_usec") * 1000;
}

// "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6" per device.
void io_stats(const std::string& dir, BlkioStats& b) {
    for (auto& line : split(fs::read(dir, "io.stat"), '\n')) {
        auto f = split(std::string(trim(line)), ' ');
        if (f.size() < 2) continue;
        auto colon = f[0].find(':');
        if (colon == std::string::npos) continue;
        auto major = parse_uint(std::string_view(f[0]).substr(0, colon)), minor = parse_uint(std::string_view(f[0]).substr(colon + 1));
        if (!major || !minor) continue;
        for (size_t i = 1; i < f.size(); ++i) {
            auto eq = f[i].find('=');
            if (eq == std::string::npos) continue;
            auto key = f[i].substr(0, eq);
            auto value = parse_uint(std::string_view(f[i]).substr(eq + 1));
            if (!value) continue;
            static const std::map<std::string, std::pair<bool, const char*>> names = {
                {"rbytes", {true, "Read"}}, {"wbytes", {true, "Write"}}, {"dbytes", {true, "Discard"}},
                {"rios", {false, "Read"}},  {"wios", {false, "Write"}},  {"dios", {false, "Discard"}},
            };
            auto n = names.find(key);
            if (n == names.end()) continue;
            (n->second.first ? b.io_service_bytes : b.io_serviced).push_back(BlkioEntry{*major, *minor, n->second.second, *value});
        }
    }
}

void pressure_stats(const std::string& dir, std::map<std::string, Pressure>& out) {
    for (const char* resource : {"cpu", "memory", "io"}) {
        auto text = fs::read_if_exists(dir, std::string(resource) + ".pressure");
        if (text) out[resource] = parse_pressure(*text);  // absent: no PSI in this kernel
    }
}

void hugetlb_stats(const std::string& dir, std::map<std::string, HugetlbStats>& h) {
    for (auto& size : host_hugepage_sizes()) {
        std::string prefix = "hugetlb." + size + ".";
        if (!fs::exists(dir, prefix + "current")) continue;
        HugetlbStats s;
        s.usage = fs::read_u64(dir, prefix + "current");
        s.failcnt = value_or_zero(fs::read_keyed(dir, prefix + "events"), "max");
        h[size] = s;
    }
}

}  // namespace

}  // namespace mogu::cgroups::v2

namespace mogu::cgroups {

Pressure parse_pressure(const std::string& text) {
    Pressure p;
    for (auto& line : split(text, '\n')) {
        auto f = split(std::string(trim(line)), ' ');
        if (f.empty() || (f[0] != "some" && f[0] != "full")) continue;
        PressureLine& l = f[0] == "some" ? p.some : p.full;
        for (size_t i = 1; i < f.size(); ++i) {
            auto eq = f[i].find('=');
            if (eq == std::string::npos) continue;
            std::string key = f[i].substr(0, eq), value = f[i].substr(eq + 1);
            if (key == "total") l.total_us = parse_uint(value).value_or(0);
            else {
                char* end = nullptr;
                double d = std::strtod(value.c_str(), &end);
                if (end == value.c_str()) d = 0;
                if (key == "avg10") l.avg10 = d;
                else if (key == "avg60") l.avg60 = d;
                else if (key == "avg300") l.avg300 = d;
            }
        }
    }
    return p;
}

}  // namespace mogu::cgroups

namespace mogu::cgroups::v2 {

namespace {
// The controllers whose files a summary reads (hugetlb is read for full detail only).
constexpr const char* kReadControllers[] = {"memory", "cpu", "pids", "io"};
}  // namespace

void fill_stats(const std::string& dir, const Controllers& owned, Stats& s, StatsDetail detail) {
    bool full = detail == StatsDetail::full;
    if (full) pressure_stats(dir, s.pressure);
    // A hybrid host's v1 hierarchies may hold every controller: nothing more to read here.
    if (owned.empty()) return;
    // Only what is enabled for this cgroup has files; "cpuacct" stands for the core cpu.stat.
    // (On a hybrid host cgroup2 may own only what this detail does not read: then no lookup.)
    bool reads_any = (full && owned.count("hugetlb")) ||
                     std::any_of(std::begin(kReadControllers), std::end(kReadControllers), [&](const char* c) { return owned.count(c) > 0; });
    std::vector<std::string> enabled;
    if (reads_any) enabled = split(std::string(trim(fs::read(dir, "cgroup.controllers"))), ' ');
    auto has = [&](const std::string& c) {
        return owned.count(c) && (c == "cpuacct" || std::find(enabled.begin(), enabled.end(), c) != enabled.end());
    };
    if (has("memory")) memory_stats(dir, s.memory, detail);
    if (has("cpu") || has("cpuacct")) cpu_stats(dir, s.cpu);
    if (has("pids")) {
        s.pids.current = fs::read_u64(dir, "pids.current");
        uint64_t max = fs::read_u64(dir, "pids.max");
        s.pids.limit = max == UINT64_MAX ? 0 : max;
    }
    if (has("io")) io_stats(dir, s.blkio);
    if (has("hugetlb") && full) hugetlb_stats(dir, s.hugetlb);
}

}  // namespace mogu::cgroups::v2
