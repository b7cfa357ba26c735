// exec: ExecSync, as `crictl exec --sync`: the command's stdout and stderr as they came, and its
// exit code as ours.
#include "tests/cri/client/commands.h"

#include "common/error.h"

#include <cstdio>
#include <string>

namespace mogu::cri {

using namespace runtime::v1;

int cmd_exec(Connection& c, Words w) {
    ExecSyncRequest req;
    std::string timeout = take_flag(w, "--timeout");
    if (w.size() < 2) throw UsageError("usage: exec [--timeout SECONDS] CONTAINER-ID COMMAND [ARG...]");
    req.set_container_id(w[0]);
    for (size_t i = 1; i < w.size(); ++i) req.add_cmd(w[i]);
    if (!timeout.empty()) req.set_timeout(std::stoll(timeout));
    auto resp = call(c, *c.runtime, &RuntimeService::Stub::ExecSync, "ExecSync", req);
    std::fwrite(resp.stdout().data(), 1, resp.stdout().size(), stdout);
    std::fflush(stdout);
    std::fwrite(resp.stderr().data(), 1, resp.stderr().size(), stderr);
    return resp.exit_code();
}

}  // namespace mogu::cri
