#include "runtime/cli/command.h"
#include "runtime/cli/create_flags.h"

namespace mogu::cli {

static std::vector<FlagSpec> run_flags() {
    auto f = create_flags();
    f.push_back({{"detach", "d"}, false, false, "detach from the container's process"});
    f.push_back({{"keep"}, false, false, "do not delete the container after it exits"});
    f.push_back({{"no-subreaper"}, false, false, "accepted for runc compatibility"});
    return f;
}

static int run_run(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::RunOptions o;
    static_cast<runtime::CreateOptions&>(o) = create_options_from(a);
    o.detach = a.flag("detach");
    o.keep = a.flag("keep");
    return runtime::run(ctx, o);
}

const Command run_command = {"run", "run [command options] <container-id>", "create and run a container", run_flags(), run_run};

}  // namespace mogu::cli
