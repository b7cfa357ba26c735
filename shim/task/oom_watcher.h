// Tells when the kernel's OOM killer acted in a container's memory cgroup: the v1 memory.oom_control
// eventfd (cgroup.event_control), or on pure v2 a watch on memory.events' oom_kill counter.
#pragma once

#include "common/fd.h"
#include "shim/task/cgroup_dirs.h"
#include "shim/ttrpc/event_loop.h"

#include <cstdint>
#include <functional>
#include <string>

namespace mogu::shim {

class OomWatcher {
public:
    // Returns quietly without watching when the cgroup has no memory controller.
    OomWatcher(ttrpc::EventLoop& loop, const CgroupDirs& dirs, std::function<void()> on_oom);
    ~OomWatcher();
    OomWatcher(const OomWatcher&) = delete;
    OomWatcher& operator=(const OomWatcher&) = delete;
    bool watching() const { return bool(event_); }

private:
    void on_v1_event();
    void on_v2_event();
    uint64_t read_v2_oom_kills() const;

    ttrpc::EventLoop& loop_;
    std::function<void()> on_oom_;
    std::string dir_;
    UniqueFd event_, control_;
    uint64_t v2_kills_ = 0;
};

}  // namespace mogu::shim
