#include "runtime/cli/command.h"

namespace mogu::cli {

static int run_delete(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::remove(ctx, a.positional()[0], a.flag("force"));
    return 0;
}

const Command delete_command = {"delete",
                                "delete [command options] <container-id>",
                                "delete a container and everything it holds",
                                {{{"force", "f"}, false, false, "kill the container first if it is running or paused"}},
                                run_delete};

}  // namespace mogu::cli
