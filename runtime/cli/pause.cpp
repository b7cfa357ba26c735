#include "runtime/cli/command.h"

namespace mogu::cli {

static int run_pause(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::pause(ctx, a.positional()[0]);
    return 0;
}

static int run_resume(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::resume(ctx, a.positional()[0]);
    return 0;
}

const Command pause_command = {"pause", "pause <container-id>", "suspend all processes in the container (cgroup freezer)", {}, run_pause};
const Command resume_command = {"resume", "resume <container-id>", "resume all processes of a paused container", {}, run_resume};

}  // namespace mogu::cli
