// The programs the other parts of mogu run, and whether they are recent enough: LXCFS (the
// /proc views), CRIU (checkpoint, restore, migrate), QEMU (mogu-vm).
#include "common/error.h"
#include "common/subprocess.h"
#include "runtime/criu/criu_binary.h"
#include "runtime/node/host/probes.h"
#include "runtime/node/kernel_version.h"

#include <fmt/core.h>

namespace mogu::node {
namespace {

// `program --version`, its first version number checked against `minimum`.
void tool_line(Report& r, const std::string& program, const KernelVersion& minimum, const std::string& why, const std::string& install) {
    CommandResult res;
    try {
        res = run_program({program, "--version"}, true);
    } catch (const Error& e) {
        r.warn("tools", program, fmt::format("cannot be run ({}): {}", e.what(), why), install);
        return;
    }
    auto v = first_version_in(res.output);
    if (!res.ok() || !v) {
        r.warn("tools", program, fmt::format("not found or no version from `{} --version`: {}", program, why), install);
        return;
    }
    if (*v < minimum)
        r.warn("tools", program, fmt::format("{} is older than {}: {}", v->str(), minimum.str(), why), install);
    else r.ok("tools", program, fmt::format("{} (at least {}): {}", v->str(), minimum.str(), why));
}

}  // namespace

void probe_tools(const std::string& criu_path, Report& r) {
    tool_line(r, "lxcfs", {5, 0, 0}, "the containers' /proc and /sys views (5.0 reads cgroup v2)", "apt-get install lxcfs");
    try {
        auto b = runtime::criu::find_binary(criu_path);
        r.ok("tools", "criu", fmt::format("{} at {}: checkpoint, restore and migrate", runtime::criu::version_text(b.version), b.path));
    } catch (const Error& e) {
        r.warn("tools", "criu", e.what(), "make deps (builds criu 4.1 into /opt/mogu/criu), or give --criu PATH");
    }
    tool_line(r, "qemu-system-x86_64", {7, 2, 0}, "mogu-vm's micro-VMs (-M microvm, tested with Debian 12's 7.2)",
              "apt-get install qemu-system-x86");
}

}  // namespace mogu::node
