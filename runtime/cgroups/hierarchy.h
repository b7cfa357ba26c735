// The cgroup hierarchies this process can see: which v1 controllers are mounted where, where the
// cgroup2 mount is, and where the caller sits in each. Read from /proc/self/mountinfo and
// /proc/self/cgroup; pure parsing, no file-system access (detect.cpp adds that).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mogu::cgroups {

struct Hierarchy {
    std::string mount_point;               // "/sys/fs/cgroup/cpu,cpuacct"
    std::string root;                      // the mount's root inside the hierarchy (mountinfo field 4)
    std::vector<std::string> controllers;  // v1: {"cpu", "cpuacct"} or {"name=systemd"}; cgroup2: empty
    bool unified = false;                  // a cgroup2 mount
    std::string own_cgroup = "/";          // the caller's cgroup, relative to `root`

    bool has(const std::string& controller) const;
    // The directory of a cgroup given relative to this mount ("/a/b" -> "<mount_point>/a/b").
    std::string dir(const std::string& cgroup) const;
};

struct Hierarchies {
    std::vector<Hierarchy> v1;        // one per mounted v1 hierarchy (named ones included)
    std::optional<Hierarchy> unified;  // the cgroup2 mount, if any
};

// The cgroup mounts that are visible (no mount outside their chain of parents sits on their
// mount point or above it), first mount of each hierarchy only; own_cgroup filled from
// /proc/self/cgroup's text.
Hierarchies find_hierarchies(const std::string& mountinfo, const std::string& proc_self_cgroup);

// The v1 controllers the kernel knows by name; other super options of a cgroup mount are flags.
bool is_v1_controller(const std::string& option);

}  // namespace mogu::cgroups
