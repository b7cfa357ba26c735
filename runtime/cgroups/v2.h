// What the v2 driver does to cgroup v2 files: limits (v1 values translated as runc does),
// statistics, cgroup.freeze, enabling controllers down the tree. CgroupV2 (cgroup_v2.cpp)
// decides the directory and which controllers it owns.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/resources.h"

#include <string>

namespace mogu::cgroups::v2 {

// Checks what can be checked without writing (unified keys, realtime, swap pairs, device
// rules) for the parts `owned` covers; throws SpecError.
void validate(const Controllers& owned, const oci::Resources& r);
void apply(const std::string& dir, const Controllers& owned, const oci::Resources& r);
void fill_stats(const std::string& dir, const Controllers& owned, Stats& s, StatsDetail detail);
// Writes "+<controller>" into cgroup.subtree_control of every ancestor of `cgroup` (best effort,
// as runc does) so the controllers reach the container's directory.
void enable_controllers(const std::string& mount_point, const std::string& cgroup, const Controllers& controllers);
void freeze(const std::string& dir, FreezerState target);  // cgroup.freeze, waiting on cgroup.events
FreezerState freezer_state(const std::string& dir);

}  // namespace mogu::cgroups::v2
