// Starting the container's init in its namespaces. New namespaces come from clone(2). Joining
// a user, pid or time namespace by path cannot be done by the init itself (the user namespace
// must own the new ones; pid and time namespaces only apply to children), so then a short-lived
// first stage joins every namespace given by path and clones the init with CLONE_PARENT: the
// init is still the runtime's own child.
#pragma once

#include "runtime/container_init.h"

#include <sys/types.h>

namespace mogu::runtime {

struct SpawnedInit {
    pid_t pid;
    bool in_v2_cgroup;  // born into the cgroup's v2 directory (CLONE_INTO_CGROUP)
};

// `parent_only_fd` is closed in the child (the parent's end of the sync socket).
SpawnedInit spawn_init(InitPlan& plan, int parent_only_fd);

}  // namespace mogu::runtime
