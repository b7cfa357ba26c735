// fork(2)/clone(2) for processes that go into a container's cgroup: born into its v2 directory
// with clone3(CLONE_INTO_CGROUP) where there is one (no migration afterwards). See
// Cgroup::v2_dir() for why this matters.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <string>

namespace mogu::runtime {

// Opens the v2 directory for clone3 ("" gives an invalid fd).
UniqueFd open_cgroup_dir(const std::string& v2_dir);
// Like clone_with_flags(flags) but into `cgroup_fd` when valid. Falls back to a plain clone
// (and returns into_cgroup = false) on kernels without clone3.
pid_t clone_into_cgroup(int namespace_flags, int cgroup_fd, bool& into_cgroup);

}  // namespace mogu::runtime
