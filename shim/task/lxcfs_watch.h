// Notices an LXCFS restart. When LXCFS dies, the views bound into running containers go stale
// ("Transport endpoint is not connected") and stay so after a new LXCFS is mounted; the shim,
// which lives as long as its containers, looks at the mount point every second and, when a new
// instance answers there, has the runtime repair the views (`mogu lxcfs repair`).
#pragma once

#include "common/fd.h"
#include "ttrpc/event_loop.h"

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

namespace mogu::shim {

class LxcfsWatch {
public:
    // `on_new_instance(mount_point)` runs on the loop when a new LXCFS answers at a watched point.
    LxcfsWatch(ttrpc::EventLoop& loop, std::function<void(const std::string&)> on_new_instance);
    ~LxcfsWatch();
    LxcfsWatch(const LxcfsWatch&) = delete;
    LxcfsWatch& operator=(const LxcfsWatch&) = delete;

    // Starts watching (once per mount point); the instance there now is the known one.
    void watch(const std::string& mount_point);
    // One look at every watched point (the timer's work; exposed for tests).
    void check();

private:
    ttrpc::EventLoop& loop_;
    std::function<void(const std::string&)> on_new_instance_;
    UniqueFd timer_;
    std::map<std::string, dev_t> known_;  // mount point -> device of the live LXCFS there, 0 when none
};

// The device of the LXCFS answering at mount_point, or 0 when none does (nothing mounted, not
// FUSE, or a dead one).
dev_t live_lxcfs_device(const std::string& mount_point);

}  // namespace mogu::shim
