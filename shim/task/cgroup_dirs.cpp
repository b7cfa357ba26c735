#include "shim/task/cgroup_dirs.h"

#include "common/files.h"
#include "common/strings.h"

#include <fmt/format.h>

#include <vector>

namespace mogu::shim {
namespace {

struct CgroupMount {
    std::string root, point;
    std::vector<std::string> controllers;  // empty for cgroup2
    bool v2 = false;
};

std::vector<CgroupMount> cgroup_mounts(const std::string& mountinfo) {
    std::vector<CgroupMount> out;
    for (auto& line : split(mountinfo, '\n')) {
        // id parent major:minor root mountpoint opts [optional...] - fstype source superopts
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto left = split(line.substr(0, dash), ' ');
        auto right = split(line.substr(dash + 3), ' ');
        if (left.size() < 5 || right.size() < 3) continue;
        CgroupMount m{left[3], left[4], {}, false};
        if (right[0] == "cgroup2") {
            m.v2 = true;
        } else if (right[0] == "cgroup") {
            for (auto& opt : split(right[2], ',')) {
                if (opt == "rw" || opt == "ro" || opt.rfind("release_agent", 0) == 0 || opt == "clone_children" ||
                    opt == "noprefix" || opt == "xattr" || opt == "cpuset_v2_mode" || opt == "nsdelegate")
                    continue;
                m.controllers.push_back(opt);
            }
        } else {
            continue;
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::string under_mount(const CgroupMount& m, const std::string& path) {
    std::string rel = path;
    if (m.root != "/" && rel.rfind(m.root, 0) == 0) rel = rel.substr(m.root.size());
    return m.point + (rel == "/" ? "" : rel);
}

}  // namespace

CgroupDirs cgroup_dirs_from(const std::string& proc_pid_cgroup, const std::string& mountinfo) {
    auto mounts = cgroup_mounts(mountinfo);
    CgroupDirs dirs;
    for (auto& line : split(proc_pid_cgroup, '\n')) {
        // hierarchy-id:controller-list:path
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) continue;
        std::string ctrls = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        if (ctrls.empty()) {
            for (auto& m : mounts)
                if (m.v2) {
                    dirs.unified = under_mount(m, path);
                    break;
                }
            continue;
        }
        for (auto& c : split(ctrls, ',')) {
            for (auto& m : mounts) {
                if (m.v2) continue;
                for (auto& mc : m.controllers)
                    if (mc == c) dirs.v1[c] = under_mount(m, path);
            }
        }
    }
    return dirs;
}

CgroupDirs cgroup_dirs_of(pid_t pid) {
    return cgroup_dirs_from(read_file(fmt::format("/proc/{}/cgroup", pid)), read_file("/proc/self/mountinfo"));
}

}  // namespace mogu::shim
