// The per-version halves of the drivers: writing resources and reading statistics. CgroupV1,
// CgroupV2 and CgroupHybrid (cgroup_*.cpp) decide which directory and which controllers they get.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/resources.h"

#include <map>
#include <string>

namespace mogu::cgroups {

// Controller name ("memory", "name=systemd", ...) -> the container's directory for it.
using DirMap = std::map<std::string, std::string>;

namespace v1 {
// Writes the parts of `r` whose controller has a directory in `dirs`; the caller has checked
// that every requested part has one.
void apply(const DirMap& dirs, const oci::Resources& r);
// A new cpuset cgroup starts with empty cpus and mems, and no process may join it until they are
// set: copy them down from the nearest ancestor, level by level (as runc's ensureParent does).
void inherit_cpuset(const std::string& mount_point, const std::string& cgroup);
void fill_stats(const DirMap& dirs, Stats& s);
void freeze(const std::string& dir, FreezerState target);  // freezer.state
FreezerState freezer_state(const std::string& dir);
}  // namespace v1

namespace v2 {
void apply(const std::string& dir, const Controllers& owned, const oci::Resources& r);
void fill_stats(const std::string& dir, const Controllers& owned, Stats& s);
// Writes "+<controller>" into cgroup.subtree_control of every ancestor of `cgroup` (best effort,
// as runc does) so the controllers reach the container's directory.
void enable_controllers(const std::string& mount_point, const std::string& cgroup, const Controllers& controllers);
void freeze(const std::string& dir, FreezerState target);  // cgroup.freeze, waiting on cgroup.events
FreezerState freezer_state(const std::string& dir);
}  // namespace v2

}  // namespace mogu::cgroups
