// state and list.
#include "common/error.h"
#include "runtime/runtime.h"
#include "runtime/status.h"

namespace mogu::runtime {

ContainerView query(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open_unlocked(ctx.root, id);
    ContainerView v{dir.read_state(), Status::stopped};
    v.status = current_status(ctx, dir, v.state);
    if (v.status == Status::stopped) v.state.pid = 0;  // as runc reports it
    return v;
}

std::vector<ContainerView> list(const Context& ctx) {
    std::vector<ContainerView> out;
    for (const auto& id : list_container_ids(ctx.root)) {
        try {
            out.push_back(query(ctx, id));
        } catch (const Error&) {
            // Deleted between listing and reading: not there any more.
        }
    }
    return out;
}

}  // namespace mogu::runtime
