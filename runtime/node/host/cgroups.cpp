// The cgroup layout this process sees (v1, v2 or hybrid, from /proc/self/mountinfo through the
// cgroups library), the controllers each side has, and what the cgroup2 root delegates.
#include "common/files.h"
#include "common/strings.h"
#include "runtime/cgroups/hierarchy.h"
#include "runtime/node/host/probes.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

namespace mogu::node {
namespace {

std::vector<std::string> words_of(const std::string& s) {
    std::vector<std::string> out;
    for (auto& w : split(trim(s), ' '))
        if (!w.empty()) out.push_back(w);
    return out;
}

// Controllers enabled in the kernel (/proc/cgroups: name, hierarchy, num_cgroups, enabled).
std::set<std::string> kernel_controllers() {
    std::set<std::string> out;
    auto text = read_file_if_exists("/proc/cgroups");
    if (!text) return out;
    for (const auto& line : split(*text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, '\t');
        if (f.size() >= 4 && trim(f[3]) == "1") out.insert(f[0]);
    }
    return out;
}

}  // namespace

void probe_cgroups(Report& r) {
    auto h = cgroups::find_hierarchies(read_file("/proc/self/mountinfo"), read_file("/proc/self/cgroup"));
    std::set<std::string> v1;
    for (const auto& x : h.v1)
        for (const auto& c : x.controllers)
            if (c.rfind("name=", 0) != 0) v1.insert(c);
    bool unified = h.unified.has_value();
    std::string layout = unified && v1.empty() ? "v2" : unified ? "hybrid" : !h.v1.empty() ? "v1" : "none";
    if (layout == "none") {
        r.fail("cgroups", "layout", "no cgroup file system is mounted", "mount cgroup2 on /sys/fs/cgroup (or let systemd do it)");
        return;
    }
    std::string v1_list = join(std::vector<std::string>(v1.begin(), v1.end()), ",");
    std::string detail = layout == "v2"     ? fmt::format("pure cgroup v2 at {}", h.unified->mount_point)
                         : layout == "v1"   ? fmt::format("cgroup v1 only: {}", v1_list)
                                            : fmt::format("v1 controllers {}; cgroup2 at {}", v1_list, h.unified->mount_point);
    if (layout == "v2") r.ok("cgroups", "layout v2", detail);
    else
        r.warn("cgroups", "layout " + layout, detail + "; mogu supports it, but PSI, the v2 freezer and memory.high need pure v2",
               "boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all) for pure cgroup v2");

    // What the kernel has that neither side mounts.
    std::set<std::string> v2;
    if (unified) {
        auto root = h.unified->mount_point;
        auto avail = read_file_if_exists(root + "/cgroup.controllers");
        for (auto& c : words_of(avail.value_or(""))) v2.insert(c);
        auto delegated = read_file_if_exists(root + "/cgroup.subtree_control");
        r.ok("cgroups", "v2 controllers", fmt::format("available at the root: {}", avail ? std::string(trim(*avail)) : "(none)"));
        auto d = words_of(delegated.value_or(""));
        std::set<std::string> dset(d.begin(), d.end());
        std::vector<std::string> wanted;
        for (const char* c : {"cpu", "memory", "pids", "io"})
            if (v2.count(c) && !dset.count(c)) wanted.push_back(c);
        if (wanted.empty())
            r.ok("cgroups", "v2 delegation", fmt::format("the root's subtree_control enables: {}", d.empty() ? "(none)" : join(d, " ")));
        else
            r.warn("cgroups", "v2 delegation",
                   fmt::format("the root's subtree_control lacks {}: containers below it cannot be limited by them", join(wanted, " ")),
                   fmt::format("echo '{}' > {}/cgroup.subtree_control (systemd: Delegate=yes)", "+" + join(wanted, " +"), root));
    }
    std::vector<std::string> missing;
    for (const char* c : {"cpu", "memory", "pids", "cpuset"}) {
        if (v1.count(c) || v2.count(c)) continue;
        missing.push_back(c);
    }
    auto known = kernel_controllers();
    if (missing.empty()) r.ok("cgroups", "controllers", "cpu, memory, pids and cpuset are usable");
    else
        r.add({"cgroups", "controllers", std::find(missing.begin(), missing.end(), "memory") != missing.end() ? Level::fail : Level::warn,
               fmt::format("not mounted or not available: {} (kernel knows: {})", join(missing, ", "),
                           join(std::vector<std::string>(known.begin(), known.end()), ",")),
               "mount the missing v1 controllers, or enable them in the cgroup2 root"});
}

}  // namespace mogu::node
