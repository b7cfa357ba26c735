// seccomp in the running kernel: filter mode (prctl), and the actions it knows
// (/proc/sys/kernel/seccomp/actions_avail; user_notif is the notify hand-off).
#include "common/files.h"
#include "common/strings.h"
#include "runtime/node/host/probes.h"

#include <errno.h>
#include <sys/prctl.h>

#include <fmt/core.h>

namespace mogu::node {

void probe_seccomp(Report& r) {
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
        r.fail("security", "seccomp", "the kernel has no seccomp (prctl PR_GET_SECCOMP: EINVAL)",
               "use a kernel built with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER");
        return;
    }
    auto actions = read_file_if_exists("/proc/sys/kernel/seccomp/actions_avail");
    if (!actions) {
        r.warn("security", "seccomp actions", "/proc/sys/kernel/seccomp/actions_avail is missing (kernel older than 4.14?)",
               "upgrade the kernel");
        return;
    }
    auto list = std::string(trim(*actions));
    r.ok("security", "seccomp", "filters available; actions: " + list);
    bool notify = false;
    for (const auto& a : split(list, ' '))
        if (a == "user_notif") notify = true;
    if (notify) r.ok("security", "seccomp notify", "user_notif is available (listenerPath in the spec works)");
    else
        r.warn("security", "seccomp notify", "user_notif is not among the kernel's actions: SCMP_ACT_NOTIFY profiles fail",
               "use a kernel from 5.0 on");
}

}  // namespace mogu::node
