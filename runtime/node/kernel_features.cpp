#include "runtime/node/kernel_features.h"

#include "common/strings.h"

#include <fmt/core.h>

namespace mogu::node {

const std::vector<ConfigRequirement>& config_requirements() {
    using L = Level;
    static const std::vector<ConfigRequirement> list = {
        {"namespaces", "namespaces", {"CONFIG_NAMESPACES"}, L::fail, "every container is a set of namespaces"},
        {"namespaces", "uts namespaces", {"CONFIG_UTS_NS"}, L::fail, "the container's hostname"},
        {"namespaces", "ipc namespaces", {"CONFIG_IPC_NS"}, L::fail, "System V IPC and POSIX queues per container"},
        {"namespaces", "pid namespaces", {"CONFIG_PID_NS"}, L::fail, "the container's init is pid 1"},
        {"namespaces", "network namespaces", {"CONFIG_NET_NS"}, L::fail, "the container's own network stack"},
        {"namespaces", "user namespaces", {"CONFIG_USER_NS"}, L::warn, "rootless containers and userns-remapped pods"},
        {"namespaces", "time namespaces", {"CONFIG_TIME_NS"}, L::warn, "restored containers keep their monotonic clock (CRIU)"},
        {"cgroups", "cgroups", {"CONFIG_CGROUPS"}, L::fail, "resource limits and accounting"},
        {"cgroups", "memory controller", {"CONFIG_MEMCG"}, L::fail, "memory limits and OOM events"},
        {"cgroups", "pids controller", {"CONFIG_CGROUP_PIDS"}, L::warn, "pids.max: a fork bomb stays in its container"},
        {"cgroups", "cpu controller", {"CONFIG_CGROUP_SCHED"}, L::warn, "CPU shares and quotas"},
        {"cgroups", "cpuset controller", {"CONFIG_CPUSETS"}, L::warn, "pinning containers to CPUs and memory nodes"},
        {"cgroups", "io controller", {"CONFIG_BLK_CGROUP"}, L::warn, "block I/O weights and limits"},
        {"cgroups", "cgroup BPF", {"CONFIG_CGROUP_BPF"}, L::warn, "device rules on cgroup v2 are BPF programs"},
        {"cgroups", "freezer", {"CONFIG_CGROUP_FREEZER"}, L::warn, "pause and resume"},
        {"cgroups", "pressure stall information", {"CONFIG_PSI"}, L::warn, "the shim's and the monitor's PSI figures"},
        {"security", "seccomp", {"CONFIG_SECCOMP"}, L::fail, "the syscall filter of every container"},
        {"security", "seccomp filters", {"CONFIG_SECCOMP_FILTER"}, L::fail, "BPF syscall filters (Docker's default profile)"},
        {"storage", "overlayfs", {"CONFIG_OVERLAY_FS"}, L::warn, "containerd's default snapshotter and the VM harness"},
        {"storage", "device-mapper", {"CONFIG_BLK_DEV_DM"}, L::warn, "mogu-snapshotter's thin pool"},
        {"storage", "dm thin provisioning", {"CONFIG_DM_THIN_PROVISIONING"}, L::warn, "mogu-snapshotter's thin pool"},
        {"storage", "dm cache", {"CONFIG_DM_CACHE"}, L::warn, "the cache tier under the thin pool"},
        {"criu", "checkpoint/restore", {"CONFIG_CHECKPOINT_RESTORE"}, L::warn, "CRIU (mogu checkpoint, restore, migrate)"},
        {"criu", "unix socket diag", {"CONFIG_UNIX_DIAG"}, L::warn, "CRIU dumps unix sockets through sock_diag"},
        {"criu", "inet socket diag", {"CONFIG_INET_DIAG"}, L::warn, "CRIU dumps TCP and UDP sockets through sock_diag"},
        {"criu", "packet socket diag", {"CONFIG_PACKET_DIAG"}, L::warn, "CRIU dumps packet sockets through sock_diag"},
        {"criu", "netlink diag", {"CONFIG_NETLINK_DIAG"}, L::warn, "CRIU dumps netlink sockets through sock_diag"},
        {"criu", "soft-dirty pages", {"CONFIG_MEM_SOFT_DIRTY"}, L::warn, "CRIU's incremental (pre-copy) dumps for migrate"},
        {"network", "veth", {"CONFIG_VETH"}, L::warn, "a container's link to the host (CNI bridge and ptp plugins)"},
        {"network", "bridge", {"CONFIG_BRIDGE"}, L::warn, "the CNI bridge plugin, Docker's docker0"},
        {"network", "netfilter NAT", {"CONFIG_NF_NAT"}, L::warn, "port mappings and masquerading"},
        {"network", "conntrack", {"CONFIG_NF_CONNTRACK"}, L::warn, "stateful filtering and NAT for containers"},
        {"vm", "KVM", {"CONFIG_KVM"}, L::warn, "mogu-vm runs micro-VMs on KVM (else slow TCG)"},
        {"vm", "KVM for this CPU", {"CONFIG_KVM_INTEL", "CONFIG_KVM_AMD"}, L::warn, "KVM on Intel (kvm-intel) or AMD (kvm-amd) processors"},
        {"vm", "virtio-vsock host", {"CONFIG_VHOST_VSOCK"}, L::warn, "a vsock channel to the guest agent"},
    };
    return list;
}

void evaluate_config(const KernelConfig& config, Report& report) {
    for (const auto& r : config_requirements()) {
        std::string name = fmt::format("{} ({})", r.feature, join(r.any_of, " or "));
        std::string found;
        for (const auto& opt : r.any_of)
            if (config.enabled(opt)) {
                found = fmt::format("{}={}", opt, *config.value(opt));
                break;
            }
        if (!found.empty()) {
            report.ok(r.area, name, fmt::format("{}: {}", found, r.why));
            continue;
        }
        std::string fix = fmt::format("rebuild or change the kernel with {} (=y or =m)", join(r.any_of, " or "));
        report.add({r.area, name, r.missing, fmt::format("not set in the kernel config; needed for {}", r.why), fix});
    }
}

}  // namespace mogu::node
