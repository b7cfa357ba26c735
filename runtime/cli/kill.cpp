#include "runtime/cli/command.h"
#include "common/signal_name.h"

#include <signal.h>

namespace mogu::cli {

static int run_kill(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 2);
    int sig = a.positional().size() == 2 ? parse_signal(a.positional()[1]) : SIGTERM;
    runtime::kill(ctx, a.positional()[0], sig, a.flag("all"));
    return 0;
}

const Command kill_command = {"kill",
                              "kill [command options] <container-id> [signal]",
                              "send a signal (default SIGTERM) to the container's init process",
                              {{{"all", "a"}, false, false, "send the signal to every process in the container"}},
                              run_kill};

}  // namespace mogu::cli
