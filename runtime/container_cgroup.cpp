#include "runtime/container_cgroup.h"

#include "common/error.h"
#include "common/files.h"

namespace mogu::runtime {

cgroups::Manager& cgroup_manager(const Context& ctx) {
    if (ctx.systemd_cgroup && !path_exists("/run/systemd/system"))
        throw UsageError("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); drop the flag to use cgroupfs");
    if (ctx.systemd_cgroup) throw UsageError("--systemd-cgroup: the systemd cgroup driver is not supported yet; drop the flag to use cgroupfs");
    static std::unique_ptr<cgroups::Manager> manager = cgroups::detect();
    return *manager;
}

std::unique_ptr<cgroups::Cgroup> open_container_cgroup(const Context& ctx, const ContainerState& st) {
    if (st.cgroup_path.empty()) return nullptr;
    Context c = ctx;
    c.systemd_cgroup = false;  // the path was resolved when the container was created
    return cgroup_manager(c).open(cgroups::CgroupPath{st.cgroup_path});
}

}  // namespace mogu::runtime
