// mogu lxcfs repair: the views of each container re-bound from the LXCFS mounted now.
#include "common/error.h"
#include "runtime/lxcfs/lxcfs.h"
#include "runtime/runtime.h"
#include "runtime/status.h"

namespace mogu::runtime {
namespace {

LxcfsRepair repair_one(const Context& ctx, const std::string& id) {
    LxcfsRepair r{id};
    try {
        ContainerDir dir = ContainerDir::open(ctx.root, id);
        ContainerState st = dir.read_state();
        if (st.lxcfs_files.empty()) {
            r.skipped = "no LXCFS views";
            return r;
        }
        Status status = current_status(ctx, dir, st);
        if (status == Status::stopped) {
            r.skipped = "stopped";
            return r;
        }
        // Where LXCFS is now: the container's own mount point, unless the host moved it.
        lxcfs::Views views{ctx.lxcfs_mount_point != lxcfs::kDefaultMountPoint ? ctx.lxcfs_mount_point : st.lxcfs_mount_point, st.lxcfs_files};
        r.rebound = lxcfs::repair_views(st.pid, views);
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    return r;
}

}  // namespace

std::vector<LxcfsRepair> repair_lxcfs(const Context& ctx, const std::vector<std::string>& ids) {
    std::vector<LxcfsRepair> out;
    if (!ids.empty()) {
        for (const auto& id : ids) out.push_back(repair_one(ctx, id));
        return out;
    }
    for (const auto& view : list(ctx))
        if (!view.state.lxcfs_files.empty()) out.push_back(repair_one(ctx, view.state.id));
    return out;
}

}  // namespace mogu::runtime
