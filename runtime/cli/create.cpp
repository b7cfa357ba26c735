#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/cli/create_flags.h"

namespace mogu::cli {

static int run_create(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::create(ctx, create_options_from(a));
    return 0;
}

const Command create_command = {
    "create", "create [command options] <container-id>", "create a container", create_flags(), run_create};

}  // namespace mogu::cli
