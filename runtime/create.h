// The parent's half of creating a container. A create is a transaction: the state directory,
// the cgroup and the init process are owners that undo themselves unless committed.
#pragma once

#include "runtime/child_process.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

#include <memory>

namespace mogu::runtime {

struct PreparedContainer {
    ContainerDir dir;
    std::unique_ptr<cgroups::Cgroup> cgroup;
    ChildProcess init;
    ContainerState state;
    oci::Spec spec;

    // Success: keep everything.
    void commit();
};

// `console_socket_fd`: for `run` with a terminal, the runtime's own socket (overrides --console-socket).
PreparedContainer create_container(const Context& ctx, const CreateOptions& opts, int console_socket_fd = -1);

// Opens the FIFO and lets the init exec; runs poststart hooks.
void start_container(const Context& ctx, ContainerDir& dir, const ContainerState& st, const oci::Spec& spec);

// The container's cgroup, made and limited as the spec says (restore uses it too). A rootless
// caller without a delegated cgroup gets nullptr, as with runc and crun, unless the spec asks for
// limits that only a cgroup can enforce.
std::unique_ptr<cgroups::Cgroup> create_container_cgroup(cgroups::Manager& manager, const oci::Spec& spec, const std::string& id);

// The spec saved beside the state at create time.
oci::Spec load_saved_spec(const ContainerDir& dir);

}  // namespace mogu::runtime
