#include "runtime/node/host/check.h"

#include "common/error.h"
#include "common/files.h"
#include "runtime/node/host/kernel_config_source.h"
#include "runtime/node/host/probes.h"
#include "runtime/node/kernel_features.h"
#include "runtime/node/sysctl_check.h"
#include "runtime/node/sysctl_profile.h"
#include "runtime/node/version_check.h"

#include <sys/utsname.h>

#include <fmt/core.h>

namespace mogu::node {

Report check_node(const CheckOptions& o) {
    Report r;
    struct utsname u;
    if (uname(&u) < 0) throw SysError(errno, "uname");
    r.kernel_release = u.release;

    std::string looked_at;
    auto config = find_kernel_config(r.kernel_release, o.kernel_config, looked_at);
    if (config) {
        r.config_source = config->path;
        evaluate_config(config->config, r);
    } else {
        r.warn("kernel", "config",
               fmt::format("not found (looked at {}): what the kernel was built with is unknown; the lines below come from "
                           "probing the running kernel only (CRIU's socket diag, soft-dirty and netfilter are not checked)",
                           looked_at),
               "install the kernel's config as /boot/config-" + r.kernel_release +
                   ", or build it with CONFIG_IKCONFIG_PROC, or pass --kernel-config FILE");
    }
    // Debian and Ubuntu say which upstream release their "X.Y.0-N" kernels are built from.
    evaluate_kernel_version(r.kernel_release, r,
                            distribution_upstream(r.kernel_release, read_file_if_exists("/proc/version").value_or(""),
                                                  read_file_if_exists("/proc/version_signature").value_or("")));
    probe_namespaces(r);
    probe_cgroups(r);
    probe_seccomp(r);
    probe_filesystems_and_network(r.kernel_release, config ? &config->config : nullptr, r);
    probe_device_mapper(r.kernel_release, o.snapshotter_config, r);
    probe_kvm(r);
    probe_tools(o.criu_path, r);

    auto dense = *profile("dense", HostFacts{mem_total_kb()});
    std::vector<std::string> keys;
    for (const auto& s : dense) keys.push_back(s.key);
    evaluate_sysctls("dense", dense, read_sysctls(keys), r);
    return r;
}

}  // namespace mogu::node
