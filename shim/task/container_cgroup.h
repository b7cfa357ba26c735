// A container's cgroup, opened through the cgroups library (runtime/cgroups) from where its init
// process sits, for Stats and OOM events.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "ttrpc/event_loop.h"

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

namespace mogu::shim {

// The init's cgroup path relative to the hierarchy roots, from /proc/<pid>/cgroup text: the
// memory controller's line (v1, hybrid) or the unified "0::" line (pure v2).
std::string cgroup_path_from(const std::string& proc_pid_cgroup);

class ContainerCgroup {
public:
    // Opens the cgroup of pid; on_oom runs on the loop each time the OOM killer acts in it.
    ContainerCgroup(ttrpc::EventLoop& loop, pid_t pid, std::function<void()> on_oom);
    ~ContainerCgroup();
    ContainerCgroup(const ContainerCgroup&) = delete;
    ContainerCgroup& operator=(const ContainerCgroup&) = delete;

    cgroups::Layout layout() const { return layout_; }
    cgroups::Stats stats() const { return cgroup_->stats(); }
    bool watching_oom() const { return bool(oom_); }

private:
    void on_oom_readable();

    ttrpc::EventLoop& loop_;
    cgroups::Layout layout_;
    std::unique_ptr<cgroups::Cgroup> cgroup_;
    std::unique_ptr<cgroups::OomWatcher> oom_;
    std::function<void()> on_oom_;
};

}  // namespace mogu::shim
