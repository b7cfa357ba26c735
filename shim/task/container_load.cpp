#include "shim/task/container_load.h"

#include "common/files.h"
#include "common/log.h"
#include "common/mountinfo.h"

namespace mogu::shim {
namespace {

// Stats runs on the shim's only loop: a hung LXCFS may cost one call this long, never the shim.
constexpr int kReadTimeoutMs = 1000;

}  // namespace

bool has_loadavg_view(const std::string& mountinfo) {
    // The last mount on the path is the one on top (a masked path binds /dev/null over the view).
    std::string top;
    for (auto& m : parse_mountinfo(mountinfo))
        if (m.mount_point == "/proc/loadavg") top = m.fs_type;
    return top.rfind("fuse", 0) == 0;
}

std::optional<runtime::lxcfs::LoadAverage> container_load_average(pid_t init, const std::string& lxcfs_mount_point) {
    try {
        // Paths in /proc/<pid>/mountinfo are relative to that process's root: the container's.
        if (!has_loadavg_view(read_file(fmt::format("/proc/{}/mountinfo", init)))) return std::nullopt;
        return runtime::lxcfs::read_load_average(init, lxcfs_mount_point, kReadTimeoutMs);
    } catch (const std::exception& e) {
        log::debug("load average of pid {}: {}", init, e.what());
        return std::nullopt;
    }
}

}  // namespace mogu::shim
