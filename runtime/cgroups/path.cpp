// linux.cgroupsPath as runc's cgroupfs driver reads it: absolute from each hierarchy's root,
// relative under the caller's own cgroup, empty as "<own cgroup>/<container id>". Unlike runc,
// which cleans ".." away silently, a path that tries to climb is refused.
#include "runtime/cgroups/cgroup.h"

#include "common/error.h"
#include "common/strings.h"

namespace mogu::cgroups {
namespace {

constexpr const char* kField = "linux.cgroupsPath";

// Joins the components of `path` onto `base` ("/" or "/a/b"); "." and empty components vanish.
std::string append_components(std::string base, const std::string& path, const std::string& shown) {
    for (auto& part : split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") throw SpecError(kField, "\"{}\" climbs out with \"..\"; give a path without \"..\"", shown);
        if (base != "/") base += '/';
        base += part;
    }
    return base;
}

}  // namespace

CgroupPath resolve_path(const std::string& cgroups_path, const std::string& container_id, const std::string& own_cgroup) {
    if (cgroups_path.find('\0') != std::string::npos) throw SpecError(kField, "contains a NUL byte");
    std::string own = own_cgroup.empty() ? "/" : own_cgroup;
    if (own[0] != '/') throw Error("own cgroup \"{}\" is not an absolute cgroup path", own_cgroup);
    // The caller's own position comes from the kernel; it is still checked, since a ".." there
    // would take the container outside the tree we were given.
    std::string base = append_components("/", own, own);

    std::string result;
    if (cgroups_path.empty()) {
        if (container_id.empty() || container_id == "." || container_id == ".." || container_id.find('/') != std::string::npos)
            throw Error("container id \"{}\" cannot name a cgroup (empty linux.cgroupsPath uses the id as the cgroup's name)",
                        container_id);
        result = append_components(base, container_id, container_id);
    } else if (cgroups_path[0] == '/') {
        result = append_components("/", cgroups_path, cgroups_path);
    } else {
        result = append_components(base, cgroups_path, cgroups_path);
    }
    if (result == "/") throw SpecError(kField, "\"{}\" is the root cgroup; a container needs a cgroup of its own", cgroups_path);
    return CgroupPath{result};
}

}  // namespace mogu::cgroups
