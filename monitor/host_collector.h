// The node's own figures, read from /proc and /sys files (never by running a command): tasks
// against pid_max and threads-max, open files against file-max, memory and swap, PSI, load,
// free space and inodes of the configured paths, sockets, conntrack, the snapshotter's thin pool
// and the daemons the node depends on. Names are node-exporter's where they mean the same
// (node_load1, node_filesystem_avail_bytes, ...; meminfo as mogu_host_meminfo_*); docs/monitoring.md lists which.
#pragma once

#include "monitor/config.h"
#include "monitor/daemon_health.h"
#include "monitor/exposition.h"

#include <set>
#include <string>
#include <vector>

namespace mogu::monitor {

class HostCollector {
public:
    // proc_root: "/proc" but for tests (a directory laid out like it).
    explicit HostCollector(const HostConfig& config, std::string proc_root = "/proc");

    void collect(MetricSet& set);

private:
    // The file's text; nullopt when it does not exist (a kernel without that feature) or cannot
    // be read (warned once per file).
    std::optional<std::string> read(const std::string& path);
    void warn_once(const std::string& key, const std::string& message);

    void add_load_and_tasks(MetricSet& set);
    void add_files(MetricSet& set);
    void add_memory(MetricSet& set);
    void add_pressure(MetricSet& set);
    void add_filesystems(MetricSet& set);
    void add_sockets(MetricSet& set);
    void add_conntrack(MetricSet& set);
    void add_thin_pool(MetricSet& set);

    std::string proc_;
    std::vector<std::string> paths_;
    std::string thin_pool_;
    DaemonHealth daemons_;
    std::set<std::string> warned_;
};

}  // namespace mogu::monitor
