#include "common/error.h"
#include "runtime/cli/command.h"

namespace mogu::cli {

// CRIU support is planned; until then both verbs fail clearly instead of pretending.
static int unsupported(const runtime::Context&, const Args& a) {
    throw Error("{}: checkpoint/restore (CRIU) is not supported by this version of mogu", a.command());
}

const Command checkpoint_command = {"checkpoint", "checkpoint [command options] <container-id>", "checkpoint a running container (not supported yet)",
                                    {{{"image-path"}, true, false, ""}, {{"work-path"}, true, false, ""}, {{"leave-running"}, false, false, ""}},
                                    unsupported};
const Command restore_command = {"restore", "restore [command options] <container-id>", "restore a container from a checkpoint (not supported yet)",
                                 {{{"image-path"}, true, false, ""}, {{"work-path"}, true, false, ""}, {{"bundle", "b"}, true, false, ""}},
                                 unsupported};

}  // namespace mogu::cli
