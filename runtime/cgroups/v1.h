// What the v1 driver does to cgroup v1 files: limits, statistics, the freezer. CgroupV1
// (cgroup_v1.cpp) decides which directories; these functions only know files.
#pragma once

#include "runtime/cgroups/cgroup.h"

#include <map>
#include <string>

namespace mogu::cgroups {

// Controller name ("memory", "name=systemd", ...) -> the container's directory for it.
using DirMap = std::map<std::string, std::string>;

namespace v1 {

// Checks what can be checked without writing (device rules); throws SpecError.
void validate(const DirMap& dirs, const oci::Resources& r);
// Writes the parts of `r` whose controller has a directory in `dirs`; the caller has checked
// that every requested part has one.
void apply(const DirMap& dirs, const oci::Resources& r);
// A new cpuset cgroup starts with empty cpus and mems, and no process may join it until they are
// set: copy them down from the nearest ancestor, level by level (as runc's ensureParent does).
void inherit_cpuset(const std::string& mount_point, const std::string& cgroup);
void fill_stats(const DirMap& dirs, Stats& s, StatsDetail detail);
void freeze(const std::string& dir, FreezerState target);  // freezer.state, retrying FREEZING
FreezerState freezer_state(const std::string& dir);

}  // namespace v1
}  // namespace mogu::cgroups
