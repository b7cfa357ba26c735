// runp, stopp, rmp, inspectp, pods: the pod sandbox's life as the kubelet drives it.
#include "tests/cri/client/commands.h"
#include "tests/cri/client/json_io.h"

#include "common/error.h"

#include <cstdio>

namespace mogu::cri {

using namespace runtime::v1;

int cmd_runp(Connection& c, Words w) {
    RunPodSandboxRequest req;
    req.set_runtime_handler(take_flag(w, "--runtime"));
    expect_words(w, 1, "runp [--runtime HANDLER] POD-CONFIG.json");
    read_json_file(w[0], *req.mutable_config());
    auto resp = call(c, *c.runtime, &RuntimeService::Stub::RunPodSandbox, "RunPodSandbox", req);
    std::printf("%s\n", resp.pod_sandbox_id().c_str());
    return 0;
}

int cmd_stopp(Connection& c, Words w) {
    if (w.empty()) throw UsageError("usage: stopp POD-ID...");
    for (const auto& id : w) {
        StopPodSandboxRequest req;
        req.set_pod_sandbox_id(id);
        call(c, *c.runtime, &RuntimeService::Stub::StopPodSandbox, "StopPodSandbox", req);
        std::printf("%s\n", id.c_str());
    }
    return 0;
}

int cmd_rmp(Connection& c, Words w) {
    if (w.empty()) throw UsageError("usage: rmp POD-ID...");
    for (const auto& id : w) {
        RemovePodSandboxRequest req;
        req.set_pod_sandbox_id(id);
        call(c, *c.runtime, &RuntimeService::Stub::RemovePodSandbox, "RemovePodSandbox", req);
        std::printf("%s\n", id.c_str());
    }
    return 0;
}

int cmd_inspectp(Connection& c, Words w) {
    expect_words(w, 1, "inspectp POD-ID");
    PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(w[0]);
    req.set_verbose(true);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::PodSandboxStatus, "PodSandboxStatus", req));
    return 0;
}

int cmd_pods(Connection& c, Words w) {
    ListPodSandboxRequest req;
    std::string id = take_flag(w, "--id"), state = take_flag(w, "--state");
    expect_words(w, 0, "pods [--id ID] [--state ready|notready]");
    if (!id.empty()) req.mutable_filter()->set_id(id);
    if (state == "ready") req.mutable_filter()->mutable_state()->set_state(SANDBOX_READY);
    else if (state == "notready") req.mutable_filter()->mutable_state()->set_state(SANDBOX_NOTREADY);
    else if (!state.empty()) throw UsageError("pods: --state is ready or notready, not \"{}\"", state);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::ListPodSandbox, "ListPodSandbox", req));
    return 0;
}

}  // namespace mogu::cri
