// mogu check [--format text|json] [--kernel-config FILE] [--snapshotter-config FILE]: the node's
// preflight. Exits 0 when every line is OK, 1 with warnings, 2 with failures.
#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/node/host/check.h"

#include <cstdio>

namespace mogu::cli {

static int run_check(const runtime::Context& ctx, const Args& a) {
    a.require_positional(0, 0);
    auto format = a.value_or("format", "text");
    if (format != "text" && format != "json") throw UsageError("check: --format: unknown format \"{}\" (text or json)", format);
    node::CheckOptions o;
    o.kernel_config = a.value_or("kernel-config", "");
    o.snapshotter_config = a.value_or("snapshotter-config", o.snapshotter_config);
    o.criu_path = ctx.criu_path;
    auto report = node::check_node(o);
    auto out = format == "json" ? node::report_json(report) : node::report_text(report);
    fwrite(out.data(), 1, out.size(), stdout);
    return report.exit_code();
}

const Command check_command = {"check",
                               "check [--format text|json] [--kernel-config FILE] [--snapshotter-config FILE]",
                               "check this node's kernel, cgroups, storage, sysctls and tools (exit 0 ok, 1 warnings, 2 failures)",
                               {{{"format", "f"}, true, false, "text (default) or json"},
                                {{"kernel-config"}, true, false, "the kernel's build config (default: /proc/config.gz, then /boot/config-$(uname -r))"},
                                {{"snapshotter-config"}, true, false, "mogu-snapshotter's config (default: /etc/mogu/snapshotter.toml)"}},
                               run_check};

}  // namespace mogu::cli
