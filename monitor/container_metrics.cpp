#include "monitor/container_metrics.h"

#include "common/files.h"
#include "common/strings.h"

#include <fmt/core.h>

#include <time.h>

#include <cstdlib>
#include <map>

namespace mogu::monitor {
namespace {

constexpr auto counter = MetricType::counter;
constexpr auto gauge = MetricType::gauge;

double seconds_of_ns(uint64_t ns) { return static_cast<double>(ns) / 1e9; }
double seconds_of_us(uint64_t us) { return static_cast<double>(us) / 1e6; }

// v1 says "no limit" with a page-rounded 2^63, v2 with "max" (read as 2^64-1): both 0 here, as
// cAdvisor's container_spec_memory_limit_bytes on cgroup v2 and container_threads_max say it.
uint64_t limit_or_zero(uint64_t limit) { return limit >= (1ULL << 62) ? 0 : limit; }

uint64_t stat_of(const cgroups::MemoryStats& m, const char* v1_key, const char* v2_key) {
    auto it = m.raw.find(v1_key);
    if (it != m.raw.end()) return it->second;
    it = m.raw.find(v2_key);
    return it == m.raw.end() ? 0 : it->second;
}

Labels with(const Labels& base, std::initializer_list<std::pair<std::string, std::string>> more) {
    Labels l = base;
    l.insert(l.end(), more.begin(), more.end());
    return l;
}

void add_cpu(MetricSet& set, const Labels& labels, const cgroups::CpuStats& c) {
    set.add("container_cpu_usage_seconds_total", counter, "Cumulative cpu time consumed in seconds.", labels, seconds_of_ns(c.total_ns));
    set.add("container_cpu_user_seconds_total", counter, "Cumulative user cpu time consumed in seconds.", labels, seconds_of_ns(c.user_ns));
    set.add("container_cpu_system_seconds_total", counter, "Cumulative system cpu time consumed in seconds.", labels, seconds_of_ns(c.kernel_ns));
    // Periods only advance under a CFS quota: without one, as cAdvisor, no throttling series.
    if (c.periods == 0) return;
    set.add("container_cpu_cfs_periods_total", counter, "Number of elapsed enforcement period intervals.", labels, c.periods);
    set.add("container_cpu_cfs_throttled_periods_total", counter, "Number of throttled period intervals.", labels, c.throttled_periods);
    set.add("container_cpu_cfs_throttled_seconds_total", counter, "Total time duration the container has been throttled.", labels,
            seconds_of_ns(c.throttled_ns));
}

void add_memory(MetricSet& set, const Labels& labels, const cgroups::MemoryStats& m) {
    set.add("container_memory_usage_bytes", gauge, "Current memory usage in bytes, including all memory regardless of when it was accessed.",
            labels, m.usage);
    uint64_t inactive_file = stat_of(m, "total_inactive_file", "inactive_file");
    set.add("container_memory_working_set_bytes", gauge, "Current working set in bytes: usage less inactive file cache.", labels,
            m.usage > inactive_file ? m.usage - inactive_file : 0);
    set.add("container_memory_cache", gauge, "Number of bytes of page cache memory.", labels, m.cache);
    set.add("container_memory_rss", gauge, "Size of RSS (anonymous memory and swap cache) in bytes.", labels, stat_of(m, "total_rss", "anon"));
    set.add("container_memory_mapped_file", gauge, "Size of memory mapped files in bytes.", labels, stat_of(m, "total_mapped_file", "file_mapped"));
    set.add("container_memory_kernel_usage", gauge, "Size of kernel memory allocated in bytes.", labels, m.kernel_usage);
    if (m.max_usage) set.add("container_memory_max_usage_bytes", gauge, "Maximum memory usage recorded in bytes.", labels, m.max_usage);
    set.add("container_spec_memory_limit_bytes", gauge, "Memory limit for the container in bytes, 0 when it has none.", labels,
            limit_or_zero(m.limit));
    // v1 counts memory+swap (memsw); cAdvisor's figure is the swap alone, as v2 gives it.
    if (m.swap_counts_memory) {
        if (m.swap_usage) set.add("container_memory_swap", gauge, "Container swap usage in bytes.", labels, m.swap_usage > m.usage ? m.swap_usage - m.usage : 0);
    } else {
        set.add("container_memory_swap", gauge, "Container swap usage in bytes.", labels, m.swap_usage);
    }
    set.add("mogu_container_memory_limit_hits_total", counter,
            "Times the memory usage hit the limit (v1 memory.failcnt, v2 memory.events max; cAdvisor's container_memory_failcnt).", labels,
            m.failcnt);
    set.add("container_oom_events_total", counter, "Count of out of memory events observed for the container.", labels, m.oom_events);
    set.add("mogu_container_oom_kills_total", counter, "Processes of the container killed by the OOM killer.", labels, m.oom_kill);
}

void add_pids(MetricSet& set, const Labels& labels, const cgroups::PidsStats& p) {
    set.add("container_threads", gauge, "Number of threads running inside the container (pids.current: the pids controller counts tasks).",
            labels, p.current);
    set.add("container_threads_max", gauge, "Maximum number of threads allowed inside the container, infinity if value is zero.", labels,
            p.limit);
}

void add_blkio(MetricSet& set, const Labels& labels, const cgroups::BlkioStats& b, const DeviceName& device_name) {
    struct Io {
        uint64_t read_bytes = 0, write_bytes = 0, reads = 0, writes = 0;
    };
    std::map<std::pair<uint64_t, uint64_t>, Io> devices;
    for (const auto& e : b.io_service_bytes) {
        if (e.op == "Read") devices[{e.major, e.minor}].read_bytes += e.value;
        else if (e.op == "Write") devices[{e.major, e.minor}].write_bytes += e.value;
    }
    for (const auto& e : b.io_serviced) {
        if (e.op == "Read") devices[{e.major, e.minor}].reads += e.value;
        else if (e.op == "Write") devices[{e.major, e.minor}].writes += e.value;
    }
    for (const auto& [dev, io] : devices) {
        auto l = with(labels, {{"device", device_name(dev.first, dev.second)}});
        set.add("container_fs_reads_bytes_total", counter, "Cumulative count of bytes read.", l, io.read_bytes);
        set.add("container_fs_writes_bytes_total", counter, "Cumulative count of bytes written.", l, io.write_bytes);
        set.add("container_fs_reads_total", counter, "Cumulative count of reads completed.", l, io.reads);
        set.add("container_fs_writes_total", counter, "Cumulative count of writes completed.", l, io.writes);
    }
}

void add_pressure(MetricSet& set, const Labels& labels, const std::map<std::string, cgroups::Pressure>& pressure) {
    for (const auto& [resource, p] : pressure) {
        set.add(fmt::format("container_pressure_{}_waiting_seconds_total", resource), counter,
                fmt::format("Total time duration tasks in the container have waited due to {} congestion.", resource), labels,
                seconds_of_us(p.some.total_us));
        set.add(fmt::format("container_pressure_{}_stalled_seconds_total", resource), counter,
                fmt::format("Total time duration no tasks in the container could make progress due to {} congestion.", resource), labels,
                seconds_of_us(p.full.total_us));
    }
}

void add_load(MetricSet& set, const Labels& labels, const runtime::lxcfs::LoadAverage& l) {
    set.add("mogu_container_load1", gauge, "The container's 1m load average (LXCFS's view of /proc/loadavg).", labels, l.avg1);
    set.add("mogu_container_load5", gauge, "The container's 5m load average (LXCFS's view of /proc/loadavg).", labels, l.avg5);
    set.add("mogu_container_load15", gauge, "The container's 15m load average (LXCFS's view of /proc/loadavg).", labels, l.avg15);
}

void add_network(MetricSet& set, const Labels& labels, const std::vector<InterfaceCounters>& interfaces) {
    for (const auto& i : interfaces) {
        auto l = with(labels, {{"interface", i.name}});
        set.add("container_network_receive_bytes_total", counter, "Cumulative count of bytes received.", l, i.rx_bytes);
        set.add("container_network_receive_packets_total", counter, "Cumulative count of packets received.", l, i.rx_packets);
        set.add("container_network_receive_packets_dropped_total", counter, "Cumulative count of packets dropped while receiving.", l, i.rx_dropped);
        set.add("container_network_receive_errors_total", counter, "Cumulative count of errors encountered while receiving.", l, i.rx_errors);
        set.add("container_network_transmit_bytes_total", counter, "Cumulative count of bytes transmitted.", l, i.tx_bytes);
        set.add("container_network_transmit_packets_total", counter, "Cumulative count of packets transmitted.", l, i.tx_packets);
        set.add("container_network_transmit_packets_dropped_total", counter, "Cumulative count of packets dropped while transmitting.", l,
                i.tx_dropped);
        set.add("container_network_transmit_errors_total", counter, "Cumulative count of errors encountered while transmitting.", l, i.tx_errors);
    }
}

}  // namespace

void add_container_metrics(MetricSet& set, const Labels& labels, const ContainerFigures& f, const DeviceName& device_name) {
    const auto& s = f.stats.cgroup;
    if (f.start_time) set.add("container_start_time_seconds", gauge, "Start time of the container since unix epoch in seconds.", labels, *f.start_time);
    add_cpu(set, labels, s.cpu);
    add_memory(set, labels, s.memory);
    add_pids(set, labels, s.pids);
    add_blkio(set, labels, s.blkio, device_name);
    add_pressure(set, labels, s.pressure);
    if (f.stats.load) add_load(set, labels, *f.stats.load);
    if (f.network) add_network(set, labels, *f.network);
    set.add("mogu_container_restarts_total", counter,
            "Times this container was started again (a new task under the same id, or a Kubernetes container of the same pod and name) since the monitor started.",
            labels, f.restarts);
}

std::string block_device_name(uint64_t major, uint64_t minor) {
    std::string fallback = fmt::format("{}:{}", major, minor);
    try {
        auto text = read_file_if_exists(fmt::format("/sys/dev/block/{}:{}/uevent", major, minor));
        if (!text) return fallback;
        for (auto& line : split(*text, '\n'))
            if (line.rfind("DEVNAME=", 0) == 0) return "/dev/" + line.substr(8);
    } catch (const std::exception&) {
    }
    return fallback;
}

std::optional<double> parse_rfc3339(const std::string& text) {
    struct tm tm = {};
    const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    double fraction = 0;
    if (*rest == '.') {
        char* end = nullptr;
        fraction = std::strtod(rest, &end);
        rest = end;
    }
    long offset = 0;
    if (*rest == 'Z') {
        ++rest;
    } else if (*rest == '+' || *rest == '-') {
        int hh = 0, mm = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
        offset = (hh * 3600L + mm * 60L) * (*rest == '+' ? 1 : -1);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest) return std::nullopt;
    return static_cast<double>(::timegm(&tm) - offset) + fraction;
}

}  // namespace mogu::monitor
