#include "runtime/cli/command.h"
#include "runtime/cli/output.h"

#include <cstdio>

namespace mogu::cli {

static int run_state(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    std::string out = state_json(runtime::query(ctx, a.positional()[0]));
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

const Command state_command = {"state", "state <container-id>", "output the state of a container", {}, run_state};

}  // namespace mogu::cli
