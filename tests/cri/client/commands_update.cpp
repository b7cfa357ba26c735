// update, reopenlog: what the kubelet changes in a running container (its cgroup limits, as after
// a pod resize; its log file, after log rotation moved the old one away).
#include "tests/cri/client/commands.h"

#include "common/error.h"

#include <cstdio>
#include <string>

namespace mogu::cri {

using namespace runtime::v1;

namespace {

// crictl update's flags; an absent flag leaves the field 0, which containerd takes as "unset".
int64_t number_flag(Words& w, const char* name) {
    std::string value = take_flag(w, name);
    if (value.empty()) return 0;
    try {
        size_t used = 0;
        int64_t n = std::stoll(value, &used);
        if (used == value.size()) return n;
    } catch (const std::exception&) {
    }
    throw UsageError("{} wants a number, not \"{}\"", name, value);
}

}  // namespace

int cmd_update(Connection& c, Words w) {
    UpdateContainerResourcesRequest req;
    auto& r = *req.mutable_linux();
    r.set_cpu_period(number_flag(w, "--cpu-period"));
    r.set_cpu_quota(number_flag(w, "--cpu-quota"));
    r.set_cpu_shares(number_flag(w, "--cpu-share"));
    r.set_memory_limit_in_bytes(number_flag(w, "--memory"));
    r.set_cpuset_cpus(take_flag(w, "--cpuset-cpus"));
    expect_words(w, 1,
                 "update [--cpu-period N] [--cpu-quota N] [--cpu-share N] [--memory BYTES] [--cpuset-cpus CPUS] "
                 "CONTAINER-ID");
    req.set_container_id(w[0]);
    call(c, *c.runtime, &RuntimeService::Stub::UpdateContainerResources, "UpdateContainerResources", req);
    std::printf("%s\n", w[0].c_str());
    return 0;
}

int cmd_reopenlog(Connection& c, Words w) {
    expect_words(w, 1, "reopenlog CONTAINER-ID");
    ReopenContainerLogRequest req;
    req.set_container_id(w[0]);
    call(c, *c.runtime, &RuntimeService::Stub::ReopenContainerLog, "ReopenContainerLog", req);
    std::printf("%s\n", w[0].c_str());
    return 0;
}

}  // namespace mogu::cri
