#include "runtime/criu/external_mounts.h"

#include "common/files.h"
#include "runtime/linux/devices.h"

#include <algorithm>
#include <set>

namespace mogu::runtime::criu {
namespace {

bool is_bind(const oci::Mount& m) {
    if (m.type == "bind") return true;
    return std::any_of(m.options.begin(), m.options.end(), [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

// The same walk as mount_cgroups() in linux/mounts.cpp: one directory per hierarchy, named after
// the hierarchy's mount point on the host ("cpu,cpuacct", "memory", "unified").
void add_cgroup_binds(const oci::Mount& m, const ContainerMounts& c, std::vector<ExternalMount>& out) {
    if (c.cgroup_v2_only) {
        if (!c.new_cgroupns && c.cgroup_dirs.count("unified")) out.push_back({m.destination, c.cgroup_dirs.at("unified")});
        return;
    }
    std::set<std::string> done;
    for (const auto& [controller, dir] : c.cgroup_dirs) {
        if (!done.insert(dir).second) continue;
        if (controller == "unified" && c.new_cgroupns) continue;  // a cgroup2 mount of its own, criu dumps it
        std::string mount_point = dir;
        if (!c.cgroup_path.empty() && c.cgroup_path != "/" && mount_point.ends_with(c.cgroup_path))
            mount_point.resize(mount_point.size() - c.cgroup_path.size());
        out.push_back({m.destination + "/" + basename_of(mount_point), dir});
    }
}

}  // namespace

std::vector<ExternalMount> external_mounts(const ContainerMounts& c) {
    std::vector<ExternalMount> out;
    const oci::Spec& spec = *c.spec;
    for (const auto& m : spec.mounts) {
        if (m.type == "cgroup" || m.type == "cgroup2") add_cgroup_binds(m, c, out);
        else if (is_bind(m)) out.push_back({m.destination, m.source});
    }
    // A device is a node made in the container's /dev, or (in a user namespace) a bind of the
    // host's: naming them all is harmless, criu only looks up the mounts it finds.
    std::set<std::string> devices;
    for (const auto& d : default_devices()) devices.insert(d.path);
    if (spec.linux)
        for (const auto& d : spec.linux->devices) devices.insert(d.path);
    for (const auto& d : devices) out.push_back({d, d});
    for (const auto& f : c.lxcfs_files) out.push_back({"/" + f, c.lxcfs_mount_point + "/" + f});
    return out;
}

}  // namespace mogu::runtime::criu
