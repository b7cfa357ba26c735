#include "monitor/daemon_health.h"

#include "common/files.h"
#include "common/strings.h"
#include "monitor/host_files.h"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <memory>

namespace mogu::monitor {
namespace {

std::optional<std::string> read_small(const std::string& path) {
    try {
        return read_file_if_exists(path);
    } catch (const std::exception&) {
        return std::nullopt;  // the process went away between the listing and the read
    }
}

}  // namespace

std::vector<ProcessSeen> scan_processes(const std::string& proc_root) {
    std::vector<ProcessSeen> out;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(proc_root.c_str()), closedir);
    if (!dir) return out;
    while (auto* ent = readdir(dir.get())) {
        auto pid = parse_uint(ent->d_name);
        if (!pid || *pid == 0) continue;
        auto comm = read_small(proc_root + "/" + ent->d_name + "/comm");
        if (!comm) continue;
        out.push_back(ProcessSeen{static_cast<pid_t>(*pid), std::string(trim(*comm))});
    }
    return out;
}

DaemonHealth::DaemonHealth(std::vector<std::string> names, std::string proc_root)
    : names_(std::move(names)), proc_root_(std::move(proc_root)) {
    if (auto stat = read_small(proc_root_ + "/stat")) boot_time_ = parse_boot_time(*stat).value_or(0);
    for (const auto& n : names_) states_[n];
}

bool DaemonHealth::is_daemon(const ProcessSeen& p, const std::string& name) const {
    // comm holds the first 15 characters of the executable's name ("mogu-snapshotte").
    if (p.comm != name.substr(0, 15)) return false;
    char target[PATH_MAX];
    auto exe = proc_root_ + "/" + std::to_string(p.pid) + "/exe";
    ssize_t n = readlink(exe.c_str(), target, sizeof target - 1);
    if (n <= 0) return name.size() <= 15;  // no exe to compare (a kernel thread has none, a zombie neither)
    std::string path(target, static_cast<size_t>(n));
    // An executable replaced by an upgrade while it runs: "/usr/bin/containerd (deleted)".
    if (path.size() > 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0) path.resize(path.size() - 10);
    return basename_of(path) == name;
}

void DaemonHealth::observe(const std::vector<ProcessSeen>& processes) {
    for (const auto& name : names_) {
        auto& st = states_[name];
        // The oldest process of that name: the daemon itself rather than a child it forked, and
        // the host's own rather than a second copy someone started later.
        std::optional<Identity> found;
        for (const auto& p : processes) {
            if (!is_daemon(p, name)) continue;
            auto stat = read_small(proc_root_ + "/" + std::to_string(p.pid) + "/stat");
            auto ticks = stat ? parse_stat_start_ticks(*stat) : std::nullopt;
            if (!ticks) continue;
            if (!found || *ticks < found->start_ticks || (*ticks == found->start_ticks && p.pid < found->pid))
                found = Identity{p.pid, *ticks};
        }
        st.current = found;
        if (found) {
            if (st.last && !(*st.last == *found)) ++st.restarts;
            st.last = found;
        }
    }
}

void DaemonHealth::add_metrics(MetricSet& set) const {
    long hz = sysconf(_SC_CLK_TCK);
    for (const auto& name : names_) {
        const auto& st = states_.at(name);
        Labels l = {{"daemon", name}};
        set.add("mogu_daemon_up", MetricType::gauge, "1 when a process of the daemon's name runs, 0 when none does.", l,
                uint64_t{st.current ? 1u : 0u});
        set.add("mogu_daemon_restarts_total", MetricType::counter,
                "Times the daemon's process was found replaced by another (new pid or start time) since the monitor started.", l,
                st.restarts);
        if (st.current && boot_time_ && hz > 0)
            set.add("mogu_daemon_start_time_seconds", MetricType::gauge, "When the daemon's running process started, Unix seconds.", l,
                    static_cast<double>(boot_time_) + static_cast<double>(st.current->start_ticks) / static_cast<double>(hz));
    }
}

}  // namespace mogu::monitor
