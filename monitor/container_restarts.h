// Counts restarts of the containers the monitor follows. A restart is a container started again
// under the same identity: a new task under the same id (Docker's restart policy, `ctr task start`
// after an exit) or, for Kubernetes, a new container of the same pod and name (the kubelet's
// restart policy makes a new id each time). The count starts at 0 when the monitor starts; an
// identity not seen for `forget_after` is forgotten, so memory stays bounded as containers go.
#pragma once

#include "monitor/exposition.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace mogu::monitor {

class RestartCounter {
public:
    using Clock = std::chrono::steady_clock;
    explicit RestartCounter(Clock::duration forget_after = std::chrono::minutes(15)) : forget_after_(forget_after) {}

    // "k8s/<namespace>/<pod>/<container>" for a Kubernetes container, "<root>/<id>" otherwise.
    static std::string identity(const std::string& root, const std::string& id, const Labels& labels);

    // One sighting of the container that started at `started` (Unix seconds); returns its restarts.
    // A sighting with a later start than the last one is a restart; an earlier one (an old
    // container of the same pod and name not yet removed) changes nothing.
    uint64_t observe(const std::string& identity, double started, Clock::time_point now = Clock::now());
    // Drops identities not seen since `now - forget_after`.
    void forget_stale(Clock::time_point now = Clock::now());
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        double started = 0;
        uint64_t restarts = 0;
        Clock::time_point seen;
    };
    Clock::duration forget_after_;
    std::map<std::string, Entry> entries_;
};

}  // namespace mogu::monitor
