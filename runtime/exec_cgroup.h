// Where an exec'd process is placed: the container's cgroup, or sub-cgroups of it named with
// runc's `exec --cgroup [CONTROLLER[,CONTROLLER...]:]PATH` (repeatable; a PATH without a
// controller applies to every hierarchy and must then be the only one). The sub-cgroups must
// exist and stay below the container's: a path with ".." is refused.
#pragma once

#include "runtime/cgroups/cgroup.h"

#include <string>
#include <vector>

namespace mogu::runtime {

struct ExecCgroupPlacement {
    std::vector<std::string> v1_dirs;  // the child writes itself into each ("0" to tasks)
    std::string v2_dir;                // the child is cloned into it ("" on a v1-only host)
};

// Throws UsageError naming the --cgroup argument, or Error naming a missing directory.
ExecCgroupPlacement exec_cgroup_placement(const cgroups::Cgroup& cg, const std::vector<std::string>& sub_cgroups);

}  // namespace mogu::runtime
