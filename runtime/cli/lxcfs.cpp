// mogu lxcfs repair [--all | ID...]: after LXCFS died or was restarted, re-binds the views of
// running containers in their mount namespaces, without restarting them.
#include "common/error.h"
#include "runtime/cli/command.h"

#include <cstdio>

namespace mogu::cli {

static int run_lxcfs(const runtime::Context& ctx, const Args& a) {
    const auto& pos = a.positional();
    if (pos.empty() || pos[0] != "repair") throw UsageError("lxcfs: the only subcommand is \"repair\" (mogu lxcfs repair --all | ID...)");
    std::vector<std::string> ids(pos.begin() + 1, pos.end());
    if (ids.empty() == !a.flag("all")) throw UsageError("lxcfs repair: give container ids or --all, not both and not neither");
    int failed = 0;
    for (const auto& r : runtime::repair_lxcfs(ctx, ids)) {
        if (!r.error.empty()) {
            ++failed;
            fprintf(stderr, "mogu: lxcfs repair %s: %s\n", r.id.c_str(), r.error.c_str());
        } else if (!r.skipped.empty()) {
            printf("%s: %s\n", r.id.c_str(), r.skipped.c_str());
        } else {
            printf("%s: %zu views re-bound\n", r.id.c_str(), r.rebound);
        }
    }
    return failed ? 1 : 0;
}

const Command lxcfs_command = {"lxcfs",
                               "lxcfs repair [--all | <container-id>...]",
                               "re-bind the LXCFS views of running containers after LXCFS restarted",
                               {{{"all", "a"}, false, false, "every container of --root that has LXCFS views"}},
                               run_lxcfs};

}  // namespace mogu::cli
