#include "runtime/cli/command.h"

namespace mogu::cli {

static int run_start(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::start(ctx, a.positional()[0]);
    return 0;
}

const Command start_command = {"start", "start <container-id>", "execute the user-defined process in a created container", {}, run_start};

}  // namespace mogu::cli
