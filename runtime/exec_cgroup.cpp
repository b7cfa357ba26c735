#include "runtime/exec_cgroup.h"

#include "common/error.h"
#include "common/strings.h"

#include <sys/stat.h>

#include <map>
#include <set>

namespace mogu::runtime {
namespace {

// "sub/dir" below the container's cgroup: relative, no "..", no empty name.
std::string checked_sub_path(const std::string& arg, const std::string& path) {
    std::string clean;
    for (const auto& part : split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") throw UsageError("exec: --cgroup {}: \"..\" would leave the container's cgroup", arg);
        clean += (clean.empty() ? "" : "/") + part;
    }
    if (clean.empty()) throw UsageError("exec: --cgroup {}: no sub-cgroup named", arg);
    return clean;
}

// controller ("" for every hierarchy) -> sub-cgroup path.
std::map<std::string, std::string> parse_sub_cgroups(const std::vector<std::string>& args) {
    std::map<std::string, std::string> out;
    for (const auto& arg : args) {
        auto colon = arg.find(':');
        if (colon == std::string::npos) {
            if (args.size() != 1) throw UsageError("exec: --cgroup {}: give a controller (CONTROLLER:PATH) when there are several", arg);
            out[""] = checked_sub_path(arg, arg);
            continue;
        }
        std::string path = arg.substr(colon + 1);
        if (path.find(':') != std::string::npos) throw UsageError("exec: --cgroup {}: expected [CONTROLLER:]PATH", arg);
        for (const auto& controller : split(arg.substr(0, colon), ',')) {
            if (controller.empty()) throw UsageError("exec: --cgroup {}: empty controller name", arg);
            out[controller] = checked_sub_path(arg, path);
        }
    }
    return out;
}

std::vector<std::string> controller_names(const std::map<std::string, std::string>& dirs) {
    std::vector<std::string> names;
    for (const auto& entry : dirs) names.push_back(entry.first);
    return names;
}

bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

ExecCgroupPlacement exec_cgroup_placement(const cgroups::Cgroup& cg, const std::vector<std::string>& sub_cgroups) {
    auto dirs = cg.paths();  // controller -> directory; co-mounted controllers share one
    auto subs = parse_sub_cgroups(sub_cgroups);
    // The directory each of the container's directories is replaced by.
    std::map<std::string, std::string> moved;
    for (const auto& [controller, sub] : subs) {
        if (!controller.empty() && !dirs.count(controller))
            throw UsageError("exec: --cgroup {}:{}: the container has no {} cgroup (it has: {})", controller, sub, controller,
                             join(controller_names(dirs), ", "));
        for (const auto& [c, dir] : dirs) {
            if (!controller.empty() && c != controller) continue;
            std::string target = dir + "/" + sub;
            auto [it, inserted] = moved.emplace(dir, target);
            if (!inserted && it->second != target)
                throw UsageError("exec: --cgroup: controllers of one hierarchy ({}) are given different sub-cgroups", dir);
            if (!is_directory(target)) throw Error("exec: --cgroup {}: {} does not exist (runc joins existing sub-cgroups only)", sub, target);
        }
    }
    ExecCgroupPlacement out;
    std::set<std::string> seen;
    for (const auto& [controller, dir] : dirs) {
        std::string target = moved.count(dir) ? moved.at(dir) : dir;
        if (dir == cg.v2_dir()) {
            out.v2_dir = target;
            continue;
        }
        if (seen.insert(target).second) out.v1_dirs.push_back(target);
    }
    return out;
}

}  // namespace mogu::runtime
