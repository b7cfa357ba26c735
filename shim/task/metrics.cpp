#include "shim/task/metrics.h"

#include "common/files.h"
#include "common/strings.h"
#include "shim/proto/cgroups_v1.pb.h"
#include "shim/proto/cgroups_v2.pb.h"

#include <unistd.h>

#include <functional>
#include <map>

namespace mogu::shim {
namespace {

namespace v1 = io::containerd::cgroups::v1;
namespace v2 = io::containerd::cgroups::v2;

// A missing file reads as absent: controllers and knobs differ between kernels.
std::optional<std::string> read_knob(const std::string& dir, const char* name) {
    if (dir.empty()) return std::nullopt;
    try {
        return read_file_if_exists(path_join(dir, name));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

uint64_t read_u64(const std::string& dir, const char* name) {
    auto t = read_knob(dir, name);
    if (!t) return 0;
    auto s = trim(*t);
    if (s == "max") return 0;
    return parse_uint(s).value_or(0);
}

// "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control).
std::map<std::string, uint64_t> read_flat(const std::string& dir, const char* name) {
    std::map<std::string, uint64_t> out;
    auto t = read_knob(dir, name);
    if (!t) return out;
    for (auto& line : split(*t, '\n')) {
        auto f = split(line, ' ');
        if (f.size() == 2)
            if (auto v = parse_uint(f[1])) out[f[0]] = *v;
    }
    return out;
}

void fill_entry(v1::MemoryEntry* e, const std::string& dir, const std::string& prefix) {
    e->set_usage(read_u64(dir, (prefix + "usage_in_bytes").c_str()));
    e->set_max(read_u64(dir, (prefix + "max_usage_in_bytes").c_str()));
    e->set_limit(read_u64(dir, (prefix + "limit_in_bytes").c_str()));
    e->set_failcnt(read_u64(dir, (prefix + "failcnt").c_str()));
}

void fill_blkio(google::protobuf::RepeatedPtrField<v1::BlkIOEntry>* out, const std::string& dir,
                const char* recursive, const char* throttle) {
    auto t = read_knob(dir, recursive);
    if (!t || trim(*t).empty() || trim(*t).rfind("Total", 0) == 0) t = read_knob(dir, throttle);
    if (!t) return;
    for (auto& line : split(*t, '\n')) {
        auto f = split(line, ' ');
        if (f.size() != 3) continue;
        auto mm = split(f[0], ':');
        if (mm.size() != 2) continue;
        auto* e = out->Add();
        e->set_major(parse_uint(mm[0]).value_or(0));
        e->set_minor(parse_uint(mm[1]).value_or(0));
        e->set_op(f[1]);
        e->set_value(parse_uint(f[2]).value_or(0));
    }
}

mogu::wkt::Any metrics_v1(const CgroupDirs& d) {
    v1::Metrics m;
    std::string mem = d.v1_dir("memory");
    if (!mem.empty()) {
        auto st = read_flat(mem, "memory.stat");
        auto* ms = m.mutable_memory();
        using Setter = void (v1::MemoryStat::*)(uint64_t);
        static const std::map<std::string, Setter> fields = {
            {"cache", &v1::MemoryStat::set_cache}, {"rss", &v1::MemoryStat::set_rss},
            {"rss_huge", &v1::MemoryStat::set_rss_huge}, {"mapped_file", &v1::MemoryStat::set_mapped_file},
            {"dirty", &v1::MemoryStat::set_dirty}, {"writeback", &v1::MemoryStat::set_writeback},
            {"pgpgin", &v1::MemoryStat::set_pg_pg_in}, {"pgpgout", &v1::MemoryStat::set_pg_pg_out},
            {"pgfault", &v1::MemoryStat::set_pg_fault}, {"pgmajfault", &v1::MemoryStat::set_pg_maj_fault},
            {"inactive_anon", &v1::MemoryStat::set_inactive_anon}, {"active_anon", &v1::MemoryStat::set_active_anon},
            {"inactive_file", &v1::MemoryStat::set_inactive_file}, {"active_file", &v1::MemoryStat::set_active_file},
            {"unevictable", &v1::MemoryStat::set_unevictable},
            {"hierarchical_memory_limit", &v1::MemoryStat::set_hierarchical_memory_limit},
            {"hierarchical_memsw_limit", &v1::MemoryStat::set_hierarchical_swap_limit},
            {"total_cache", &v1::MemoryStat::set_total_cache}, {"total_rss", &v1::MemoryStat::set_total_rss},
            {"total_rss_huge", &v1::MemoryStat::set_total_rss_huge},
            {"total_mapped_file", &v1::MemoryStat::set_total_mapped_file},
            {"total_dirty", &v1::MemoryStat::set_total_dirty}, {"total_writeback", &v1::MemoryStat::set_total_writeback},
            {"total_pgpgin", &v1::MemoryStat::set_total_pg_pg_in}, {"total_pgpgout", &v1::MemoryStat::set_total_pg_pg_out},
            {"total_pgfault", &v1::MemoryStat::set_total_pg_fault},
            {"total_pgmajfault", &v1::MemoryStat::set_total_pg_maj_fault},
            {"total_inactive_anon", &v1::MemoryStat::set_total_inactive_anon},
            {"total_active_anon", &v1::MemoryStat::set_total_active_anon},
            {"total_inactive_file", &v1::MemoryStat::set_total_inactive_file},
            {"total_active_file", &v1::MemoryStat::set_total_active_file},
            {"total_unevictable", &v1::MemoryStat::set_total_unevictable},
        };
        for (auto& [k, v] : st)
            if (auto it = fields.find(k); it != fields.end()) (ms->*(it->second))(v);
        fill_entry(ms->mutable_usage(), mem, "memory.");
        fill_entry(ms->mutable_swap(), mem, "memory.memsw.");
        fill_entry(ms->mutable_kernel(), mem, "memory.kmem.");
        fill_entry(ms->mutable_kernel_tcp(), mem, "memory.kmem.tcp.");
        auto oc = read_flat(mem, "memory.oom_control");
        auto* o = m.mutable_memory_oom_control();
        o->set_oom_kill_disable(oc["oom_kill_disable"]);
        o->set_under_oom(oc["under_oom"]);
        o->set_oom_kill(oc["oom_kill"]);
    }
    std::string acct = d.v1_dir("cpuacct");
    if (!acct.empty()) {
        auto* u = m.mutable_cpu()->mutable_usage();
        u->set_total(read_u64(acct, "cpuacct.usage"));
        if (auto t = read_knob(acct, "cpuacct.usage_percpu"))
            for (auto& f : split(std::string(trim(*t)), ' '))
                if (auto v = parse_uint(f)) u->add_per_cpu(*v);
        // cpuacct.stat counts USER_HZ ticks.
        auto st = read_flat(acct, "cpuacct.stat");
        uint64_t ns_per_tick = 1000000000ull / uint64_t(sysconf(_SC_CLK_TCK));
        u->set_user(st["user"] * ns_per_tick);
        u->set_kernel(st["system"] * ns_per_tick);
    }
    std::string cpu = d.v1_dir("cpu");
    if (!cpu.empty()) {
        auto st = read_flat(cpu, "cpu.stat");
        auto* t = m.mutable_cpu()->mutable_throttling();
        t->set_periods(st["nr_periods"]);
        t->set_throttled_periods(st["nr_throttled"]);
        t->set_throttled_time(st["throttled_time"]);
    }
    std::string pids = d.v1_dir("pids");
    if (!pids.empty()) {
        m.mutable_pids()->set_current(read_u64(pids, "pids.current"));
        m.mutable_pids()->set_limit(read_u64(pids, "pids.max"));
    }
    std::string blkio = d.v1_dir("blkio");
    if (!blkio.empty()) {
        auto* b = m.mutable_blkio();
        fill_blkio(b->mutable_io_service_bytes_recursive(), blkio, "blkio.io_service_bytes_recursive",
                   "blkio.throttle.io_service_bytes");
        fill_blkio(b->mutable_io_serviced_recursive(), blkio, "blkio.io_serviced_recursive",
                   "blkio.throttle.io_serviced");
    }
    mogu::wkt::Any any;
    any.set_type_url(m.GetTypeName());
    any.set_value(m.SerializeAsString());
    return any;
}

mogu::wkt::Any metrics_v2(const CgroupDirs& d) {
    v2::Metrics m;
    const std::string& dir = d.unified;
    m.mutable_pids()->set_current(read_u64(dir, "pids.current"));
    m.mutable_pids()->set_limit(read_u64(dir, "pids.max"));
    auto cpu = read_flat(dir, "cpu.stat");
    auto* c = m.mutable_cpu();
    c->set_usage_usec(cpu["usage_usec"]);
    c->set_user_usec(cpu["user_usec"]);
    c->set_system_usec(cpu["system_usec"]);
    c->set_nr_periods(cpu["nr_periods"]);
    c->set_nr_throttled(cpu["nr_throttled"]);
    c->set_throttled_usec(cpu["throttled_usec"]);
    auto st = read_flat(dir, "memory.stat");
    auto* ms = m.mutable_memory();
    using Setter = void (v2::MemoryStat::*)(uint64_t);
    static const std::map<std::string, Setter> fields = {
        {"anon", &v2::MemoryStat::set_anon}, {"file", &v2::MemoryStat::set_file},
        {"kernel_stack", &v2::MemoryStat::set_kernel_stack}, {"slab", &v2::MemoryStat::set_slab},
        {"sock", &v2::MemoryStat::set_sock}, {"shmem", &v2::MemoryStat::set_shmem},
        {"file_mapped", &v2::MemoryStat::set_file_mapped}, {"file_dirty", &v2::MemoryStat::set_file_dirty},
        {"file_writeback", &v2::MemoryStat::set_file_writeback}, {"anon_thp", &v2::MemoryStat::set_anon_thp},
        {"inactive_anon", &v2::MemoryStat::set_inactive_anon}, {"active_anon", &v2::MemoryStat::set_active_anon},
        {"inactive_file", &v2::MemoryStat::set_inactive_file}, {"active_file", &v2::MemoryStat::set_active_file},
        {"unevictable", &v2::MemoryStat::set_unevictable},
        {"slab_reclaimable", &v2::MemoryStat::set_slab_reclaimable},
        {"slab_unreclaimable", &v2::MemoryStat::set_slab_unreclaimable}, {"pgfault", &v2::MemoryStat::set_pgfault},
        {"pgmajfault", &v2::MemoryStat::set_pgmajfault},
        {"workingset_refault", &v2::MemoryStat::set_workingset_refault},
        {"workingset_activate", &v2::MemoryStat::set_workingset_activate},
        {"workingset_nodereclaim", &v2::MemoryStat::set_workingset_nodereclaim},
        {"pgrefill", &v2::MemoryStat::set_pgrefill}, {"pgscan", &v2::MemoryStat::set_pgscan},
        {"pgsteal", &v2::MemoryStat::set_pgsteal}, {"pgactivate", &v2::MemoryStat::set_pgactivate},
        {"pgdeactivate", &v2::MemoryStat::set_pgdeactivate}, {"pglazyfree", &v2::MemoryStat::set_pglazyfree},
        {"pglazyfreed", &v2::MemoryStat::set_pglazyfreed}, {"thp_fault_alloc", &v2::MemoryStat::set_thp_fault_alloc},
        {"thp_collapse_alloc", &v2::MemoryStat::set_thp_collapse_alloc},
    };
    for (auto& [k, v] : st)
        if (auto it = fields.find(k); it != fields.end()) (ms->*(it->second))(v);
    ms->set_usage(read_u64(dir, "memory.current"));
    ms->set_usage_limit(read_u64(dir, "memory.max"));
    ms->set_swap_usage(read_u64(dir, "memory.swap.current"));
    ms->set_swap_limit(read_u64(dir, "memory.swap.max"));
    auto ev = read_flat(dir, "memory.events");
    auto* e = m.mutable_memory_events();
    e->set_low(ev["low"]);
    e->set_high(ev["high"]);
    e->set_max(ev["max"]);
    e->set_oom(ev["oom"]);
    e->set_oom_kill(ev["oom_kill"]);
    if (auto io = read_knob(dir, "io.stat")) {
        for (auto& line : split(*io, '\n')) {
            auto f = split(line, ' ');
            auto mm = split(f[0], ':');
            if (f.size() < 2 || mm.size() != 2) continue;
            auto* u = m.mutable_io()->add_usage();
            u->set_major(parse_uint(mm[0]).value_or(0));
            u->set_minor(parse_uint(mm[1]).value_or(0));
            for (size_t i = 1; i < f.size(); i++) {
                auto kv = split(f[i], '=');
                if (kv.size() != 2) continue;
                uint64_t v = parse_uint(kv[1]).value_or(0);
                if (kv[0] == "rbytes") u->set_rbytes(v);
                else if (kv[0] == "wbytes") u->set_wbytes(v);
                else if (kv[0] == "rios") u->set_rios(v);
                else if (kv[0] == "wios") u->set_wios(v);
            }
        }
    }
    mogu::wkt::Any any;
    any.set_type_url(m.GetTypeName());
    any.set_value(m.SerializeAsString());
    return any;
}

}  // namespace

mogu::wkt::Any collect_metrics(const CgroupDirs& dirs) {
    return dirs.v1_dir("memory").empty() && !dirs.unified.empty() ? metrics_v2(dirs) : metrics_v1(dirs);
}

}  // namespace mogu::shim
