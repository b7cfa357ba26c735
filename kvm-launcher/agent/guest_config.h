// The container's config.json as the guest's runtime should see it. The host wrote it for the
// host: its root path, cgroup path, namespace paths, CPU numbers, device numbers, hooks and LSM
// labels name things that do not exist in the guest. Everything else is copied unchanged.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mogu::vm::agent {

struct GuestConfigInputs {
    std::string id;
    std::string rootfs;                                // where the agent mounted the rootfs
    std::map<std::string, std::string> file_sources;  // host bind source -> the guest copy
};

// What changed, for the agent's log.
struct GuestConfig {
    std::string json;
    std::vector<std::string> dropped;  // JSON paths left out, e.g. "hooks", "linux.resources.cpu.cpus"
};

GuestConfig guest_config(const std::string& host_config_json, const GuestConfigInputs& in);

}  // namespace mogu::vm::agent
