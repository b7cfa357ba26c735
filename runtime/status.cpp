#include "runtime/status.h"

#include "common/files.h"
#include "runtime/container_cgroup.h"
#include "runtime/proc_info.h"

namespace mogu::runtime {

Status current_status(const Context& ctx, const ContainerDir& dir, const ContainerState& st) {
    if (!process_alive(st.pid, st.start_time)) return Status::stopped;
    if (path_exists(dir.exec_fifo())) return Status::created;
    try {
        auto cg = open_container_cgroup(ctx, st);
        if (cg && cg->freezer_state() != cgroups::FreezerState::thawed) return Status::paused;
    } catch (const std::exception&) {
        // No freezer to ask: the container cannot be paused either.
    }
    return Status::running;
}

}  // namespace mogu::runtime
