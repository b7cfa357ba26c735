// Finding the cgroup hierarchies in /proc/self/mountinfo and the caller's place in /proc/self/cgroup.
// Field layout: proc(5), "/proc/[pid]/mountinfo"; cgroups(7), "/proc/[pid]/cgroup".
#include "runtime/cgroups/hierarchy.h"

#include "common/files.h"
#include "common/mountinfo.h"
#include "common/strings.h"

#include <algorithm>
#include <array>

namespace mogu::cgroups {
namespace {

// A mount is hidden when another mount sits on its mount point or on a directory above it and
// is not one of the mounts it hangs from (its parent, the parent's parent, ...): path lookup then
// enters that other mount instead. Lines are not in mount order (a moved or pivoted root can be
// listed last), so the parent ids decide, not the position.
bool is_hidden(const std::vector<MountInfoEntry>& mounts, size_t index) {
    const auto& m = mounts[index];
    std::vector<int> chain;
    for (int id = m.parent_id; id >= 0 && chain.size() <= mounts.size();) {
        if (std::find(chain.begin(), chain.end(), id) != chain.end()) break;  // a loop: malformed text
        chain.push_back(id);
        auto parent = std::find_if(mounts.begin(), mounts.end(), [&](const MountInfoEntry& e) { return e.id == id; });
        if (parent == mounts.end()) break;
        id = parent->parent_id;
    }
    for (size_t j = 0; j < mounts.size(); ++j) {
        if (j == index || !path_is_under(m.mount_point, mounts[j].mount_point)) continue;
        if (std::find(chain.begin(), chain.end(), mounts[j].id) == chain.end()) return true;
    }
    return false;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> v1_controllers_of(const std::string& super_options) {
    std::vector<std::string> out;
    for (auto& opt : split(super_options, ','))
        if (is_v1_controller(opt) || (opt.starts_with("name=") && opt.size() > 5)) out.push_back(opt);
    return out;
}

// "/a/b" seen from a mount whose root is "/a" is "/b"; a cgroup outside the mount's view
// (another namespace's, shown as "/.." paths) falls back to the mount's root.
std::string relative_to_root(const std::string& cgroup, const std::string& root) {
    std::string path = cgroup;
    if (path.ends_with(" (deleted)")) path.resize(path.size() - 10);
    if (path.empty() || path[0] != '/') return "/";
    if (root == "/") return path;
    if (path == root) return "/";
    if (path.starts_with(root) && path[root.size()] == '/') return path.substr(root.size());
    return "/";
}

}  // namespace

bool is_v1_controller(const std::string& option) {
    static const std::array<const char*, 16> known = {"cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer", "net_cls",
                                                       "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "blkio", "debug"};
    return std::any_of(known.begin(), known.end(), [&](const char* k) { return option == k; });
}

bool Hierarchy::has(const std::string& controller) const {
    return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

std::string Hierarchy::dir(const std::string& cgroup) const {
    if (cgroup.empty() || cgroup == "/") return mount_point;
    return mount_point == "/" ? cgroup : mount_point + cgroup;
}

Hierarchies find_hierarchies(const std::string& mountinfo, const std::string& proc_self_cgroup) {
    auto mounts = parse_mountinfo(mountinfo);
    Hierarchies h;
    for (size_t i = 0; i < mounts.size(); ++i) {
        const auto& m = mounts[i];
        if (m.fs_type != "cgroup" && m.fs_type != "cgroup2") continue;
        if (is_hidden(mounts, i)) continue;
        Hierarchy hier;
        hier.mount_point = m.mount_point;
        hier.root = m.root;
        if (m.fs_type == "cgroup2") {
            hier.unified = true;
            if (!h.unified) h.unified = std::move(hier);
            continue;
        }
        hier.controllers = v1_controllers_of(m.super_options);
        if (hier.controllers.empty()) continue;
        bool seen = std::any_of(h.v1.begin(), h.v1.end(), [&](const Hierarchy& o) { return sorted(o.controllers) == sorted(hier.controllers); });
        if (!seen) h.v1.push_back(std::move(hier));
    }

    // "N:controllers:path"; the path may itself hold colons.
    for (auto& line : split(proc_self_cgroup, '\n')) {
        auto c1 = line.find(':');
        auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string::npos) continue;
        std::string ctrls = line.substr(c1 + 1, c2 - c1 - 1);
        std::string path = line.substr(c2 + 1);
        if (ctrls.empty()) {
            if (h.unified && line.substr(0, c1) == "0") h.unified->own_cgroup = relative_to_root(path, h.unified->root);
            continue;
        }
        auto names = sorted(split(ctrls, ','));
        for (auto& hier : h.v1)
            if (sorted(hier.controllers) == names) hier.own_cgroup = relative_to_root(path, hier.root);
    }
    return h;
}

}  // namespace mogu::cgroups
