// The container's config.json as the guest's runtime should see it. The host wrote it for the
// host: its root path, cgroup path, namespace paths, CPU numbers, device numbers, hooks and LSM
// labels name things that do not exist in the guest. Everything else is copied unchanged. A
// pod's container joins the sandbox's namespaces in the guest, where its host paths pointed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mogu::vm::agent {

struct GuestConfigInputs {
    std::string id;
    std::string rootfs;                                // where the agent mounted the rootfs
    std::map<std::string, std::string> file_sources;  // host bind source -> the guest copy (or directory)
    // A pod's container: namespace paths name this guest process's namespaces instead (the
    // sandbox's init); 0 drops them and the guest makes new ones.
    int namespace_pid = 0;
    // A pod sandbox: no network namespace of its own, the VM's (with the pod's network device).
    bool vm_network = false;
};

// What changed, for the agent's log.
struct GuestConfig {
    std::string json;
    std::vector<std::string> dropped;  // JSON paths left out, e.g. "hooks", "linux.resources.cpu.cpus"
};

GuestConfig guest_config(const std::string& host_config_json, const GuestConfigInputs& in);

}  // namespace mogu::vm::agent
