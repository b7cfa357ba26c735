#include "shim/task/metrics.h"

#include "shim/proto/cgroups_v1.pb.h"
#include "shim/proto/cgroups_v2.pb.h"

#include <map>

namespace mogu::shim {
namespace {

namespace v1 = io::containerd::cgroups::v1;
namespace v2 = io::containerd::cgroups::v2;

template <typename M>
mogu::wkt::Any pack(const M& m) {
    mogu::wkt::Any any;
    any.set_type_url(m.GetTypeName());
    any.set_value(m.SerializeAsString());
    return any;
}

void fill_blkio(google::protobuf::RepeatedPtrField<v1::BlkIOEntry>* out, const std::vector<cgroups::BlkioEntry>& in) {
    for (auto& e : in) {
        auto* o = out->Add();
        o->set_major(e.major);
        o->set_minor(e.minor);
        o->set_op(e.op);
        o->set_value(e.value);
    }
}

// mogu's extension fields, the same in both Metrics types: set only for what was read, so a
// cgroup without PSI or a container without an LXCFS load average leaves them unset.
template <typename Metrics>
void fill_extensions(Metrics& m, const cgroups::Stats& s, const std::optional<runtime::lxcfs::LoadAverage>& load) {
    auto line = [](auto* out, const cgroups::PressureLine& in) {
        out->set_avg10(in.avg10);
        out->set_avg60(in.avg60);
        out->set_avg300(in.avg300);
        out->set_total(in.total_us);
    };
    auto pressure = [&](auto* out, const cgroups::Pressure& in) {
        line(out->mutable_some(), in.some);
        line(out->mutable_full(), in.full);
    };
    // mutable_*() creates the message: called only for a resource whose file was read.
    if (auto it = s.pressure.find("cpu"); it != s.pressure.end()) pressure(m.mutable_cpu_pressure(), it->second);
    if (auto it = s.pressure.find("memory"); it != s.pressure.end()) pressure(m.mutable_memory_pressure(), it->second);
    if (auto it = s.pressure.find("io"); it != s.pressure.end()) pressure(m.mutable_io_pressure(), it->second);
    if (load) {
        auto* l = m.mutable_load_average();
        l->set_load1(load->avg1);
        l->set_load5(load->avg5);
        l->set_load15(load->avg15);
        l->set_running(load->running);
        l->set_tasks(load->tasks);
    }
}

mogu::wkt::Any metrics_v1(const cgroups::Stats& s, const std::optional<runtime::lxcfs::LoadAverage>& load) {
    v1::Metrics m;
    auto* ms = m.mutable_memory();
    const auto& raw = s.memory.raw;
    using Setter = void (v1::MemoryStat::*)(uint64_t);
    // memory.stat key -> field, as containerd's cgroups library names them.
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
    for (auto& [k, v] : raw)
        if (auto it = fields.find(k); it != fields.end()) (ms->*(it->second))(v);
    auto* usage = ms->mutable_usage();
    usage->set_usage(s.memory.usage);
    usage->set_max(s.memory.max_usage);
    usage->set_limit(s.memory.limit);
    usage->set_failcnt(s.memory.failcnt);
    ms->mutable_swap()->set_usage(s.memory.swap_usage);
    ms->mutable_swap()->set_limit(s.memory.swap_limit);
    ms->mutable_kernel()->set_usage(s.memory.kernel_usage);
    // containerd 1.6's metrics endpoint (/v1/metrics) reads kernel_tcp without a nil check and
    // panics without it. The cgroups library does not read memory.kmem.tcp.*: it stays zero.
    ms->mutable_kernel_tcp();
    m.mutable_memory_oom_control()->set_oom_kill(s.memory.oom_kill);

    auto* cpu = m.mutable_cpu()->mutable_usage();
    cpu->set_total(s.cpu.total_ns);
    cpu->set_user(s.cpu.user_ns);
    cpu->set_kernel(s.cpu.kernel_ns);
    for (uint64_t v : s.cpu.percpu_ns) cpu->add_per_cpu(v);
    auto* thr = m.mutable_cpu()->mutable_throttling();
    thr->set_periods(s.cpu.periods);
    thr->set_throttled_periods(s.cpu.throttled_periods);
    thr->set_throttled_time(s.cpu.throttled_ns);

    m.mutable_pids()->set_current(s.pids.current);
    m.mutable_pids()->set_limit(s.pids.limit);
    fill_blkio(m.mutable_blkio()->mutable_io_service_bytes_recursive(), s.blkio.io_service_bytes);
    fill_blkio(m.mutable_blkio()->mutable_io_serviced_recursive(), s.blkio.io_serviced);
    for (auto& [size, h] : s.hugetlb) {
        auto* o = m.add_hugetlb();
        o->set_pagesize(size);
        o->set_usage(h.usage);
        o->set_max(h.max_usage);
        o->set_failcnt(h.failcnt);
    }
    fill_extensions(m, s, load);
    return pack(m);
}

mogu::wkt::Any metrics_v2(const cgroups::Stats& s, const std::optional<runtime::lxcfs::LoadAverage>& load) {
    v2::Metrics m;
    m.mutable_pids()->set_current(s.pids.current);
    m.mutable_pids()->set_limit(s.pids.limit);
    auto* c = m.mutable_cpu();
    c->set_usage_usec(s.cpu.total_ns / 1000);
    c->set_user_usec(s.cpu.user_ns / 1000);
    c->set_system_usec(s.cpu.kernel_ns / 1000);
    c->set_nr_periods(s.cpu.periods);
    c->set_nr_throttled(s.cpu.throttled_periods);
    c->set_throttled_usec(s.cpu.throttled_ns / 1000);

    auto* ms = m.mutable_memory();
    const auto& raw = s.memory.raw;
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
    for (auto& [k, v] : raw)
        if (auto it = fields.find(k); it != fields.end()) (ms->*(it->second))(v);
    ms->set_usage(s.memory.usage);
    ms->set_usage_limit(s.memory.limit);
    ms->set_swap_usage(s.memory.swap_usage);
    ms->set_swap_limit(s.memory.swap_limit);
    m.mutable_memory_events()->set_oom(s.memory.oom_events);
    m.mutable_memory_events()->set_oom_kill(s.memory.oom_kill);

    // io.stat per device: bytes and operations, read and write.
    std::map<std::pair<uint64_t, uint64_t>, v2::IOEntry> io;
    auto entry = [&](const cgroups::BlkioEntry& e) -> v2::IOEntry& {
        auto& o = io[{e.major, e.minor}];
        o.set_major(e.major);
        o.set_minor(e.minor);
        return o;
    };
    for (auto& e : s.blkio.io_service_bytes) {
        if (e.op == "Read") entry(e).set_rbytes(e.value);
        if (e.op == "Write") entry(e).set_wbytes(e.value);
    }
    for (auto& e : s.blkio.io_serviced) {
        if (e.op == "Read") entry(e).set_rios(e.value);
        if (e.op == "Write") entry(e).set_wios(e.value);
    }
    for (auto& [dev, e] : io) *m.mutable_io()->add_usage() = e;
    for (auto& [size, h] : s.hugetlb) {
        auto* o = m.add_hugetlb();
        o->set_pagesize(size);
        o->set_current(h.usage);
        o->set_max(h.max_usage);
    }
    fill_extensions(m, s, load);
    return pack(m);
}

}  // namespace

mogu::wkt::Any metrics_any(cgroups::Layout layout, const cgroups::Stats& stats,
                           const std::optional<runtime::lxcfs::LoadAverage>& load) {
    return layout == cgroups::Layout::v2 ? metrics_v2(stats, load) : metrics_v1(stats, load);
}

}  // namespace mogu::shim
