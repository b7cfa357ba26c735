#include "shim/task/metrics.h"

#include "shim/proto/messages.h"

#include <map>
#include <type_traits>

namespace mogu::shim {
namespace {

namespace v1 = pb::cgroups_v1;
namespace v2 = pb::cgroups_v2;

template <typename M>
PackedAny pack_any(const M& m) {
    return {std::string(pbc::type_name<M>()), pbc::pack(m)};
}

// A new message of the type a pointer field points to, owned by arena.
template <typename Field>
auto* make_for(pbc::Arena& arena, Field* const&) {
    return arena.make<Field>();
}

void fill_blkio(pbc::Arena& arena, size_t* n, v1::BlkIOEntry*** out, const std::vector<cgroups::BlkioEntry>& in) {
    *n = in.size();
    *out = arena.array<v1::BlkIOEntry>(in.size());
    for (size_t i = 0; i < in.size(); i++) {
        auto* o = arena.make<v1::BlkIOEntry>();
        o->major = in[i].major;
        o->minor = in[i].minor;
        o->op = arena.str(in[i].op);
        o->value = in[i].value;
        (*out)[i] = o;
    }
}

// mogu's extension fields, the same in both Metrics types: set only for what was read, so a
// cgroup without PSI or a container without an LXCFS load average leaves them unset.
template <typename Metrics>
void fill_extensions(pbc::Arena& arena, Metrics& m, const cgroups::Stats& s,
                     const std::optional<runtime::lxcfs::LoadAverage>& load) {
    auto line = [&](auto*& out, const cgroups::PressureLine& in) {
        out = make_for(arena, out);
        out->avg10 = in.avg10;
        out->avg60 = in.avg60;
        out->avg300 = in.avg300;
        out->total = in.total_us;
    };
    // A message is made only for a resource whose file was read: the others stay unset.
    auto pressure = [&](auto*& out, const char* resource) {
        auto it = s.pressure.find(resource);
        if (it == s.pressure.end()) return;
        out = make_for(arena, out);
        line(out->some, it->second.some);
        line(out->full, it->second.full);
    };
    pressure(m.cpu_pressure, "cpu");
    pressure(m.memory_pressure, "memory");
    pressure(m.io_pressure, "io");
    if (load) {
        auto* l = m.load_average = make_for(arena, m.load_average);
        l->load1 = load->avg1;
        l->load5 = load->avg5;
        l->load15 = load->avg15;
        l->running = load->running;
        l->tasks = load->tasks;
    }
}

PackedAny metrics_v1(const cgroups::Stats& s, const std::optional<runtime::lxcfs::LoadAverage>& load) {
    pbc::Arena arena;
    auto m = pbc::make<v1::Metrics>();
    auto* ms = m.memory = arena.make<v1::MemoryStat>();
    // memory.stat key -> field, as containerd's cgroups library names them.
    static const std::map<std::string, uint64_t v1::MemoryStat::*> fields = {
        {"cache", &v1::MemoryStat::cache}, {"rss", &v1::MemoryStat::rss},
        {"rss_huge", &v1::MemoryStat::rss_huge}, {"mapped_file", &v1::MemoryStat::mapped_file},
        {"dirty", &v1::MemoryStat::dirty}, {"writeback", &v1::MemoryStat::writeback},
        {"pgpgin", &v1::MemoryStat::pg_pg_in}, {"pgpgout", &v1::MemoryStat::pg_pg_out},
        {"pgfault", &v1::MemoryStat::pg_fault}, {"pgmajfault", &v1::MemoryStat::pg_maj_fault},
        {"inactive_anon", &v1::MemoryStat::inactive_anon}, {"active_anon", &v1::MemoryStat::active_anon},
        {"inactive_file", &v1::MemoryStat::inactive_file}, {"active_file", &v1::MemoryStat::active_file},
        {"unevictable", &v1::MemoryStat::unevictable},
        {"hierarchical_memory_limit", &v1::MemoryStat::hierarchical_memory_limit},
        {"hierarchical_memsw_limit", &v1::MemoryStat::hierarchical_swap_limit},
        {"total_cache", &v1::MemoryStat::total_cache}, {"total_rss", &v1::MemoryStat::total_rss},
        {"total_rss_huge", &v1::MemoryStat::total_rss_huge},
        {"total_mapped_file", &v1::MemoryStat::total_mapped_file},
        {"total_dirty", &v1::MemoryStat::total_dirty}, {"total_writeback", &v1::MemoryStat::total_writeback},
        {"total_pgpgin", &v1::MemoryStat::total_pg_pg_in}, {"total_pgpgout", &v1::MemoryStat::total_pg_pg_out},
        {"total_pgfault", &v1::MemoryStat::total_pg_fault},
        {"total_pgmajfault", &v1::MemoryStat::total_pg_maj_fault},
        {"total_inactive_anon", &v1::MemoryStat::total_inactive_anon},
        {"total_active_anon", &v1::MemoryStat::total_active_anon},
        {"total_inactive_file", &v1::MemoryStat::total_inactive_file},
        {"total_active_file", &v1::MemoryStat::total_active_file},
        {"total_unevictable", &v1::MemoryStat::total_unevictable},
    };
    for (auto& [k, v] : s.memory.raw)
        if (auto it = fields.find(k); it != fields.end()) ms->*(it->second) = v;
    auto* usage = ms->usage = arena.make<v1::MemoryEntry>();
    usage->usage = s.memory.usage;
    usage->max = s.memory.max_usage;
    usage->limit = s.memory.limit;
    usage->failcnt = s.memory.failcnt;
    ms->swap = arena.make<v1::MemoryEntry>();
    ms->swap->usage = s.memory.swap_usage;
    ms->swap->limit = s.memory.swap_limit;
    ms->kernel = arena.make<v1::MemoryEntry>();
    ms->kernel->usage = s.memory.kernel_usage;
    // containerd 1.6's metrics endpoint (/v1/metrics) reads kernel_tcp without a nil check and
    // panics without it. The cgroups library does not read memory.kmem.tcp.*: it stays zero.
    ms->kernel_tcp = arena.make<v1::MemoryEntry>();
    m.memory_oom_control = arena.make<v1::MemoryOomControl>();
    m.memory_oom_control->oom_kill = s.memory.oom_kill;

    m.cpu = arena.make<v1::CPUStat>();
    auto* cpu = m.cpu->usage = arena.make<v1::CPUUsage>();
    cpu->total = s.cpu.total_ns;
    cpu->user = s.cpu.user_ns;
    cpu->kernel = s.cpu.kernel_ns;
    cpu->n_per_cpu = s.cpu.percpu_ns.size();
    cpu->per_cpu = arena.values<uint64_t>(s.cpu.percpu_ns.size());
    std::copy(s.cpu.percpu_ns.begin(), s.cpu.percpu_ns.end(), cpu->per_cpu);
    auto* thr = m.cpu->throttling = arena.make<v1::Throttle>();
    thr->periods = s.cpu.periods;
    thr->throttled_periods = s.cpu.throttled_periods;
    thr->throttled_time = s.cpu.throttled_ns;

    m.pids = arena.make<v1::PidsStat>();
    m.pids->current = s.pids.current;
    m.pids->limit = s.pids.limit;
    auto* blkio = m.blkio = arena.make<v1::BlkIOStat>();
    fill_blkio(arena, &blkio->n_io_service_bytes_recursive, &blkio->io_service_bytes_recursive, s.blkio.io_service_bytes);
    fill_blkio(arena, &blkio->n_io_serviced_recursive, &blkio->io_serviced_recursive, s.blkio.io_serviced);
    m.n_hugetlb = s.hugetlb.size();
    m.hugetlb = arena.array<v1::HugetlbStat>(s.hugetlb.size());
    size_t i = 0;
    for (auto& [size, h] : s.hugetlb) {
        auto* o = m.hugetlb[i++] = arena.make<v1::HugetlbStat>();
        o->pagesize = arena.str(size);
        o->usage = h.usage;
        o->max = h.max_usage;
        o->failcnt = h.failcnt;
    }
    fill_extensions(arena, m, s, load);
    return pack_any(m);
}

PackedAny metrics_v2(const cgroups::Stats& s, const std::optional<runtime::lxcfs::LoadAverage>& load) {
    pbc::Arena arena;
    auto m = pbc::make<v2::Metrics>();
    m.pids = arena.make<v2::PidsStat>();
    m.pids->current = s.pids.current;
    m.pids->limit = s.pids.limit;
    auto* c = m.cpu = arena.make<v2::CPUStat>();
    c->usage_usec = s.cpu.total_ns / 1000;
    c->user_usec = s.cpu.user_ns / 1000;
    c->system_usec = s.cpu.kernel_ns / 1000;
    c->nr_periods = s.cpu.periods;
    c->nr_throttled = s.cpu.throttled_periods;
    c->throttled_usec = s.cpu.throttled_ns / 1000;

    auto* ms = m.memory = arena.make<v2::MemoryStat>();
    static const std::map<std::string, uint64_t v2::MemoryStat::*> fields = {
        {"anon", &v2::MemoryStat::anon}, {"file", &v2::MemoryStat::file},
        {"kernel_stack", &v2::MemoryStat::kernel_stack}, {"slab", &v2::MemoryStat::slab},
        {"sock", &v2::MemoryStat::sock}, {"shmem", &v2::MemoryStat::shmem},
        {"file_mapped", &v2::MemoryStat::file_mapped}, {"file_dirty", &v2::MemoryStat::file_dirty},
        {"file_writeback", &v2::MemoryStat::file_writeback}, {"anon_thp", &v2::MemoryStat::anon_thp},
        {"inactive_anon", &v2::MemoryStat::inactive_anon}, {"active_anon", &v2::MemoryStat::active_anon},
        {"inactive_file", &v2::MemoryStat::inactive_file}, {"active_file", &v2::MemoryStat::active_file},
        {"unevictable", &v2::MemoryStat::unevictable},
        {"slab_reclaimable", &v2::MemoryStat::slab_reclaimable},
        {"slab_unreclaimable", &v2::MemoryStat::slab_unreclaimable}, {"pgfault", &v2::MemoryStat::pgfault},
        {"pgmajfault", &v2::MemoryStat::pgmajfault},
        {"workingset_refault", &v2::MemoryStat::workingset_refault},
        {"workingset_activate", &v2::MemoryStat::workingset_activate},
        {"workingset_nodereclaim", &v2::MemoryStat::workingset_nodereclaim},
        {"pgrefill", &v2::MemoryStat::pgrefill}, {"pgscan", &v2::MemoryStat::pgscan},
        {"pgsteal", &v2::MemoryStat::pgsteal}, {"pgactivate", &v2::MemoryStat::pgactivate},
        {"pgdeactivate", &v2::MemoryStat::pgdeactivate}, {"pglazyfree", &v2::MemoryStat::pglazyfree},
        {"pglazyfreed", &v2::MemoryStat::pglazyfreed}, {"thp_fault_alloc", &v2::MemoryStat::thp_fault_alloc},
        {"thp_collapse_alloc", &v2::MemoryStat::thp_collapse_alloc},
    };
    for (auto& [k, v] : s.memory.raw)
        if (auto it = fields.find(k); it != fields.end()) ms->*(it->second) = v;
    ms->usage = s.memory.usage;
    ms->usage_limit = s.memory.limit;
    ms->swap_usage = s.memory.swap_usage;
    ms->swap_limit = s.memory.swap_limit;
    m.memory_events = arena.make<v2::MemoryEvents>();
    m.memory_events->oom = s.memory.oom_events;
    m.memory_events->oom_kill = s.memory.oom_kill;

    // io.stat per device: bytes and operations, read and write.
    std::map<std::pair<uint64_t, uint64_t>, v2::IOEntry*> io;
    auto entry = [&](const cgroups::BlkioEntry& e) -> v2::IOEntry& {
        auto*& o = io[{e.major, e.minor}];
        if (!o) {
            o = arena.make<v2::IOEntry>();
            o->major = e.major;
            o->minor = e.minor;
        }
        return *o;
    };
    for (auto& e : s.blkio.io_service_bytes) {
        if (e.op == "Read") entry(e).rbytes = e.value;
        if (e.op == "Write") entry(e).wbytes = e.value;
    }
    for (auto& e : s.blkio.io_serviced) {
        if (e.op == "Read") entry(e).rios = e.value;
        if (e.op == "Write") entry(e).wios = e.value;
    }
    m.io = arena.make<v2::IOStat>();
    m.io->n_usage = io.size();
    m.io->usage = arena.array<v2::IOEntry>(io.size());
    size_t i = 0;
    for (auto& [dev, e] : io) m.io->usage[i++] = e;
    m.n_hugetlb = s.hugetlb.size();
    m.hugetlb = arena.array<v2::HugeTlbStat>(s.hugetlb.size());
    i = 0;
    for (auto& [size, h] : s.hugetlb) {
        auto* o = m.hugetlb[i++] = arena.make<v2::HugeTlbStat>();
        o->pagesize = arena.str(size);
        o->current = h.usage;
        o->max = h.max_usage;
    }
    fill_extensions(arena, m, s, load);
    return pack_any(m);
}

}  // namespace

PackedAny metrics_any(cgroups::Layout layout, const cgroups::Stats& stats,
                      const std::optional<runtime::lxcfs::LoadAverage>& load) {
    return layout == cgroups::Layout::v2 ? metrics_v2(stats, load) : metrics_v1(stats, load);
}

}  // namespace mogu::shim
