// Namespaces the running kernel offers: the entries of /proc/self/ns.
#include "common/files.h"
#include "common/strings.h"
#include "runtime/node/host/probes.h"

#include <fmt/core.h>

namespace mogu::node {

void probe_namespaces(Report& r) {
    struct Ns {
        const char* file;
        const char* name;
        Level missing;
    };
    static const Ns list[] = {{"mnt", "mount", Level::fail}, {"pid", "pid", Level::fail},     {"net", "network", Level::fail},
                              {"ipc", "ipc", Level::fail},   {"uts", "uts", Level::fail},     {"user", "user", Level::warn},
                              {"cgroup", "cgroup", Level::warn}, {"time", "time", Level::warn}};
    std::vector<std::string> have;
    for (const auto& ns : list) {
        std::string path = fmt::format("/proc/self/ns/{}", ns.file);
        if (path_exists(path)) {
            have.push_back(ns.name);
            continue;
        }
        r.add({"namespaces", fmt::format("{} namespace", ns.name), ns.missing, fmt::format("{} does not exist", path),
               "use a kernel built with this namespace"});
    }
    if (!have.empty()) {
        std::string names;
        for (const auto& h : have) names += (names.empty() ? "" : ", ") + h;
        r.ok("namespaces", "available", names + " (from /proc/self/ns)");
    }
    // Unprivileged user namespaces: Debian's knob and the generic limit.
    if (auto v = read_file_if_exists("/proc/sys/user/max_user_namespaces"); v && parse_uint(trim(*v)) == 0u)
        r.warn("namespaces", "user.max_user_namespaces", "0: no user namespaces can be made (rootless containers fail)",
               "sysctl -w user.max_user_namespaces=63000");
}

}  // namespace mogu::node
