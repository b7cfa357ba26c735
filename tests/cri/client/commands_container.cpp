// create, start, stop, rm, inspect, ps, stats: a container in a pod.
#include "tests/cri/client/commands.h"
#include "tests/cri/client/json_io.h"

#include "common/error.h"

#include <cstdio>
#include <string>

namespace mogu::cri {

using namespace runtime::v1;

int cmd_create(Connection& c, Words w) {
    expect_words(w, 3, "create POD-ID CONTAINER-CONFIG.json POD-CONFIG.json");
    CreateContainerRequest req;
    req.set_pod_sandbox_id(w[0]);
    read_json_file(w[1], *req.mutable_config());
    read_json_file(w[2], *req.mutable_sandbox_config());
    auto resp = call(c, *c.runtime, &RuntimeService::Stub::CreateContainer, "CreateContainer", req);
    std::printf("%s\n", resp.container_id().c_str());
    return 0;
}

int cmd_start(Connection& c, Words w) {
    expect_words(w, 1, "start CONTAINER-ID");
    StartContainerRequest req;
    req.set_container_id(w[0]);
    call(c, *c.runtime, &RuntimeService::Stub::StartContainer, "StartContainer", req);
    std::printf("%s\n", w[0].c_str());
    return 0;
}

int cmd_stop(Connection& c, Words w) {
    StopContainerRequest req;
    std::string timeout = take_flag(w, "--timeout");
    expect_words(w, 1, "stop [--timeout SECONDS] CONTAINER-ID");
    req.set_container_id(w[0]);
    if (!timeout.empty()) req.set_timeout(std::stoll(timeout));
    call(c, *c.runtime, &RuntimeService::Stub::StopContainer, "StopContainer", req);
    std::printf("%s\n", w[0].c_str());
    return 0;
}

int cmd_rm(Connection& c, Words w) {
    expect_words(w, 1, "rm CONTAINER-ID");
    RemoveContainerRequest req;
    req.set_container_id(w[0]);
    call(c, *c.runtime, &RuntimeService::Stub::RemoveContainer, "RemoveContainer", req);
    std::printf("%s\n", w[0].c_str());
    return 0;
}

int cmd_inspect(Connection& c, Words w) {
    expect_words(w, 1, "inspect CONTAINER-ID");
    ContainerStatusRequest req;
    req.set_container_id(w[0]);
    req.set_verbose(true);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::ContainerStatus, "ContainerStatus", req));
    return 0;
}

int cmd_ps(Connection& c, Words w) {
    ListContainersRequest req;
    std::string pod = take_flag(w, "--pod");
    expect_words(w, 0, "ps [--pod POD-ID]");
    if (!pod.empty()) req.mutable_filter()->set_pod_sandbox_id(pod);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::ListContainers, "ListContainers", req));
    return 0;
}

int cmd_stats(Connection& c, Words w) {
    if (w.size() == 1) {
        ContainerStatsRequest req;
        req.set_container_id(w[0]);
        print_json(call(c, *c.runtime, &RuntimeService::Stub::ContainerStats, "ContainerStats", req));
        return 0;
    }
    ListContainerStatsRequest req;
    std::string pod = take_flag(w, "--pod");
    expect_words(w, 0, "stats [CONTAINER-ID | --pod POD-ID]");
    if (!pod.empty()) req.mutable_filter()->set_pod_sandbox_id(pod);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::ListContainerStats, "ListContainerStats", req));
    return 0;
}

}  // namespace mogu::cri
