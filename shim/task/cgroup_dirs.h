// Where a process's cgroups are on this host: each v1 controller's directory and the v2
// directory, resolved through /proc/<pid>/cgroup and /proc/self/mountinfo (hybrid hosts have both).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace mogu::shim {

struct CgroupDirs {
    std::map<std::string, std::string> v1;  // controller ("memory", "cpuacct", ...) -> directory
    std::string unified;                     // the cgroup2 directory, if cgroup2 is mounted
    bool pure_v2() const { return v1.empty() && !unified.empty(); }
    std::string v1_dir(const std::string& controller) const {
        auto it = v1.find(controller);
        return it == v1.end() ? "" : it->second;
    }
};

CgroupDirs cgroup_dirs_of(pid_t pid);
// The same from given texts (tests).
CgroupDirs cgroup_dirs_from(const std::string& proc_pid_cgroup, const std::string& mountinfo);

}  // namespace mogu::shim
