// A container's own load average for the Stats answer: the one LXCFS computes for its cgroup,
// read as `mogu stats` reads it (runtime/lxcfs), for containers that have LXCFS's loadavg view.
#pragma once

#include "runtime/lxcfs/lxcfs.h"

#include <sys/types.h>

#include <optional>
#include <string>

namespace mogu::shim {

// Whether /proc/loadavg in a mount namespace, given as /proc/<pid>/mountinfo text, is a FUSE
// file: LXCFS's view bound over it.
bool has_loadavg_view(const std::string& mountinfo);

// nullopt when the container has no loadavg view, LXCFS does not answer at lxcfs_mount_point
// now (within a second), or the init is gone. Forks a short-lived helper (see
// runtime/lxcfs/load_average.cpp).
std::optional<runtime::lxcfs::LoadAverage> container_load_average(pid_t init, const std::string& lxcfs_mount_point);

}  // namespace mogu::shim
