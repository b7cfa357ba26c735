// The daemons a node depends on (containerd, dockerd, mogu-snapshotter, lxcfs): up when a process
// of that name is in /proc, restarted when the process found is another one than last time (a
// new pid or start time). Found by name, never by running anything or asking the daemon.
#pragma once

#include "monitor/exposition.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::monitor {

// One process as a /proc scan sees it: its pid and comm (/proc/PID/comm, at most 15 characters).
struct ProcessSeen {
    pid_t pid = 0;
    std::string comm;
};

// Every process in `proc_root` (numeric entries), with its comm; those that exit meanwhile are left out.
std::vector<ProcessSeen> scan_processes(const std::string& proc_root);

class DaemonHealth {
public:
    DaemonHealth(std::vector<std::string> names, std::string proc_root = "/proc");

    // From this collection's scan: which daemons run, and whether one was replaced.
    void observe(const std::vector<ProcessSeen>& processes);
    // mogu_daemon_up, mogu_daemon_restarts_total, mogu_daemon_start_time_seconds{daemon}.
    void add_metrics(MetricSet& set) const;

private:
    struct Identity {
        pid_t pid = 0;
        uint64_t start_ticks = 0;
        bool operator==(const Identity&) const = default;
    };
    struct State {
        std::optional<Identity> current, last;  // last: the one seen most recently, up or not now
        uint64_t restarts = 0;
    };
    bool is_daemon(const ProcessSeen& p, const std::string& name) const;

    std::vector<std::string> names_;
    std::string proc_root_;
    std::map<std::string, State> states_;
    uint64_t boot_time_ = 0;  // Unix seconds, /proc/stat btime
};

}  // namespace mogu::monitor
