// mogu tune --profile NAME [--dry-run] | mogu tune --revert: sysctls for container hosts,
// written to /etc/sysctl.d/90-mogu.conf and applied; --revert restores what was there before.
#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/node/host/tune.h"

#include <cstdio>

namespace mogu::cli {

static int run_tune(const runtime::Context&, const Args& a) {
    a.require_positional(0, 0);
    auto name = a.value("profile");
    bool revert = a.flag("revert"), dry = a.flag("dry-run");
    if (revert == name.has_value()) throw UsageError("tune: give --profile NAME or --revert (see mogu tune --help)");
    node::TunePaths paths;
    std::string out;
    if (revert) {
        if (dry) throw UsageError("tune: --dry-run goes with --profile, not --revert");
        out = node::revert_tune(paths);
    } else {
        auto plan = node::plan_tune_here(*name);
        out = dry ? node::describe_plan(plan, paths.conf) : node::apply_tune(plan, paths);
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

const Command tune_command = {"tune",
                              "tune --profile dense|festival [--dry-run] | tune --revert",
                              "apply sysctls for container hosts (/etc/sysctl.d/90-mogu.conf), or revert them",
                              {{{"profile", "p"}, true, false, "dense (many containers per node) or festival (a burst of them)"},
                               {{"dry-run"}, false, false, "print the changes and why, change nothing"},
                               {{"revert"}, false, false, "restore the sysctls and the file as they were before mogu tune"}},
                              run_tune};

}  // namespace mogu::cli
