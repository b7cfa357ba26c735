#include "monitor/host_collector.h"

#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "monitor/host_files.h"
#include "monitor/thin_pool_status.h"
#include "runtime/cgroups/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace mogu::monitor {
namespace {

constexpr auto counter = MetricType::counter;
constexpr auto gauge = MetricType::gauge;

}  // namespace

HostCollector::HostCollector(const HostConfig& config, std::string proc_root)
    : proc_(std::move(proc_root)), paths_(config.paths), thin_pool_(config.thin_pool), daemons_(config.daemons, proc_) {}

void HostCollector::warn_once(const std::string& key, const std::string& message) {
    if (warned_.insert(key).second) log::warn("{}", message);
    else log::debug("{}", message);
}

std::optional<std::string> HostCollector::read(const std::string& path) {
    // Plain reads: /proc files report a size of 0, and an ifstream's error says nothing useful.
    std::ifstream in(path);
    if (!in) {
        if (errno != ENOENT) warn_once(path, fmt::format("host: cannot read {}: {}", path, strerror(errno)));
        return std::nullopt;
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void HostCollector::add_load_and_tasks(MetricSet& set) {
    if (auto text = read(proc_ + "/loadavg")) {
        if (auto l = parse_loadavg(*text)) {
            set.add("node_load1", gauge, "1m load average.", {}, l->load1);
            set.add("node_load5", gauge, "5m load average.", {}, l->load5);
            set.add("node_load15", gauge, "15m load average.", {}, l->load15);
            set.add("node_processes_threads", gauge, "Allocated threads in system (every task, as kernel.threads-max counts them).", {},
                    l->threads);
        }
    }
    auto processes = scan_processes(proc_);
    set.add("node_processes_pids", gauge, "Number of PIDs (processes; their threads are node_processes_threads).", {},
            static_cast<uint64_t>(processes.size()));
    if (auto t = read(proc_ + "/sys/kernel/pid_max"); t && parse_uint(trim(*t)))
        set.add("node_processes_max_processes", gauge, "Number of max PIDs limit (kernel.pid_max).", {}, *parse_uint(trim(*t)));
    if (auto t = read(proc_ + "/sys/kernel/threads-max"); t && parse_uint(trim(*t)))
        set.add("node_processes_max_threads", gauge, "Limit of threads in the system (kernel.threads-max).", {}, *parse_uint(trim(*t)));
    daemons_.observe(processes);
}

void HostCollector::add_files(MetricSet& set) {
    auto text = read(proc_ + "/sys/fs/file-nr");
    if (!text) return;
    auto f = parse_file_nr(*text);
    if (!f) return;
    set.add("node_filefd_allocated", gauge, "File descriptor statistics: allocated (open file handles).", {}, f->allocated);
    set.add("node_filefd_maximum", gauge, "File descriptor statistics: maximum (fs.file-max).", {}, f->max);
}

void HostCollector::add_memory(MetricSet& set) {
    auto text = read(proc_ + "/meminfo");
    if (!text) return;
    // node-exporter keeps the kernel's CamelCase (node_memory_MemAvailable_bytes), which
    // Prometheus's naming rules (and promtool) refuse: ours are snake_case under our prefix.
    for (const auto& f : parse_meminfo(*text)) {
        // Fields without a unit count huge pages (HugePages_Total): "_pages" keeps a gauge's name
        // from ending in "_total", which Prometheus keeps for counters.
        std::string name = "mogu_host_meminfo_" + snake_case(f.name) + (f.bytes ? "_bytes" : "_pages");
        set.add(name, gauge, "The " + f.name + " field of /proc/meminfo" + (f.bytes ? ", in bytes." : ", in (huge) pages."), {}, f.value);
    }
}

void HostCollector::add_pressure(MetricSet& set) {
    static const char* kinds[] = {"cpu", "memory", "io"};
    for (const char* kind : kinds) {
        auto text = read(proc_ + "/pressure/" + kind);
        if (!text) continue;  // a kernel without PSI (or booted with psi=0)
        auto p = cgroups::parse_pressure(*text);
        std::string k = kind;
        set.add("node_pressure_" + k + "_waiting_seconds_total", counter,
                "Total time in seconds that processes have waited for " + k + " (PSI some).", {}, static_cast<double>(p.some.total_us) / 1e6);
        // cpu's "full" line exists from 5.13 on (always 0 host-wide); node-exporter reports it for memory and io.
        if (text->find("full ") != std::string::npos)
            set.add("node_pressure_" + k + "_stalled_seconds_total", counter,
                    "Total time in seconds no process could make progress for want of " + k + " (PSI full).", {},
                    static_cast<double>(p.full.total_us) / 1e6);
    }
}

void HostCollector::add_filesystems(MetricSet& set) {
    if (paths_.empty()) return;
    auto mountinfo = read(proc_ + "/self/mountinfo");
    auto mounts = mountinfo ? parse_mountinfo(*mountinfo) : std::vector<MountEntry>{};
    for (const auto& path : paths_) {
        char* real = realpath(path.c_str(), nullptr);
        struct statvfs vfs;
        struct stat st;
        int err = 0;
        std::string canonical = real ? real : path;
        free(real);
        if (stat(canonical.c_str(), &st) != 0 || statvfs(canonical.c_str(), &vfs) != 0) err = errno;
        if (err) {
            warn_once("fs:" + path, fmt::format("host: filesystem of {}: {}", path, strerror(err)));
            set.add("node_filesystem_device_error", gauge, "Whether an error occurred while getting statistics for the given device.",
                    {{"device", ""}, {"fstype", ""}, {"mountpoint", ""}, {"path", path}}, uint64_t{1});
            continue;
        }
        const MountEntry* m = mount_of(mounts, canonical, major(st.st_dev), minor(st.st_dev));
        Labels l = {{"device", m ? m->source : ""}, {"fstype", m ? m->fstype : ""}, {"mountpoint", m ? m->mountpoint : ""}, {"path", path}};
        uint64_t frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
        set.add("node_filesystem_device_error", gauge, "Whether an error occurred while getting statistics for the given device.", l, uint64_t{0});
        set.add("node_filesystem_size_bytes", gauge, "Filesystem size in bytes.", l, uint64_t(vfs.f_blocks) * frsize);
        set.add("node_filesystem_free_bytes", gauge, "Filesystem free space in bytes.", l, uint64_t(vfs.f_bfree) * frsize);
        set.add("node_filesystem_avail_bytes", gauge, "Filesystem space available to non-root users in bytes.", l, uint64_t(vfs.f_bavail) * frsize);
        set.add("node_filesystem_files", gauge, "Filesystem total file nodes.", l, uint64_t(vfs.f_files));
        set.add("node_filesystem_files_free", gauge, "Filesystem total free file nodes.", l, uint64_t(vfs.f_ffree));
        set.add("node_filesystem_readonly", gauge, "Filesystem read-only status.", l, uint64_t{(vfs.f_flag & ST_RDONLY) ? 1u : 0u});
    }
}

void HostCollector::add_sockets(MetricSet& set) {
    static const long page = sysconf(_SC_PAGESIZE);
    for (const char* file : {"/net/sockstat", "/net/sockstat6"}) {
        auto text = read(proc_ + file);
        if (!text) continue;
        for (const auto& [proto, fields] : parse_sockstat(*text)) {
            for (const auto& [field, value] : fields) {
                if (proto == "sockets") {
                    set.add("node_sockstat_sockets_" + field, gauge, "Number of IPv4 sockets " + field + ".", {}, value);
                    continue;
                }
                set.add("node_sockstat_" + proto + "_" + field, gauge, "Number of " + proto + " sockets in state " + field + ".", {}, value);
                // "mem" is in pages: node-exporter adds it in bytes too.
                if (field == "mem")
                    set.add("node_sockstat_" + proto + "_mem_bytes", gauge, "Number of " + proto + " sockets in state mem_bytes.", {},
                            value * static_cast<uint64_t>(page));
            }
        }
    }
}

void HostCollector::add_conntrack(MetricSet& set) {
    // Only where nf_conntrack is loaded: no files, no series, no error.
    auto count = read(proc_ + "/sys/net/netfilter/nf_conntrack_count");
    auto max = read(proc_ + "/sys/net/netfilter/nf_conntrack_max");
    if (!count || !max || !parse_uint(trim(*count)) || !parse_uint(trim(*max))) return;
    set.add("node_nf_conntrack_entries", gauge, "Number of currently allocated flow entries for connection tracking.", {}, *parse_uint(trim(*count)));
    set.add("node_nf_conntrack_entries_limit", gauge, "Maximum size of connection tracking table.", {}, *parse_uint(trim(*max)));
}

void HostCollector::add_thin_pool(MetricSet& set) {
    if (thin_pool_.empty()) return;
    Labels l = {{"pool", thin_pool_}};
    std::string why;
    auto f = read_thin_pool(thin_pool_, why);
    set.add("mogu_host_thin_pool_up", gauge, "1 when mogu-snapshotter's thin pool could be read from device-mapper, 0 when not.", l,
            uint64_t{f ? 1u : 0u});
    if (!f) {
        warn_once("thin:" + why, fmt::format("host: thin pool {}: {}", thin_pool_, why));
        return;
    }
    set.add("mogu_host_thin_pool_data_size_bytes", gauge, "Size of the thin pool's data device.", l, f->total_data_blocks * f->data_block_bytes);
    set.add("mogu_host_thin_pool_data_used_bytes", gauge, "Data space of the thin pool that is allocated to thin devices.", l,
            f->used_data_blocks * f->data_block_bytes);
    set.add("mogu_host_thin_pool_metadata_size_bytes", gauge, "Size of the thin pool's metadata device.", l,
            f->total_metadata_blocks * ThinPoolFigures::kMetadataBlockBytes);
    set.add("mogu_host_thin_pool_metadata_used_bytes", gauge, "Metadata space of the thin pool in use.", l,
            f->used_metadata_blocks * ThinPoolFigures::kMetadataBlockBytes);
    set.add("mogu_host_thin_pool_needs_check", gauge, "1 when the pool's metadata is flagged needs_check.", l, uint64_t{f->needs_check ? 1u : 0u});
    set.add("mogu_host_thin_pool_mode", gauge, "1 for the pool's current mode (rw, ro, out_of_data_space, Fail).",
            {{"pool", thin_pool_}, {"mode", f->mode}}, uint64_t{1});
}

void HostCollector::collect(MetricSet& set) {
    add_load_and_tasks(set);
    add_files(set);
    add_memory(set);
    add_pressure(set);
    add_filesystems(set);
    add_sockets(set);
    add_conntrack(set);
    add_thin_pool(set);
    daemons_.add_metrics(set);
}

}  // namespace mogu::monitor
