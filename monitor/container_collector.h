// Reads every container's cgroup once per collection, through the runtime's state and cgroups
// libraries (never by running mogu). A container that vanishes mid-read is left out of this
// collection, so its series disappear; nothing about it is kept beyond the next collection.
#pragma once

#include "monitor/container_restarts.h"
#include "monitor/docker_names.h"
#include "monitor/exposition.h"
#include "monitor/oom_alert.h"
#include "monitor/status.h"
#include "runtime/lxcfs/lxcfs.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mogu::monitor {

class ContainerCollector {
public:
    // `docker_roots`: dockerd's data roots, where the names and images of Docker's containers are.
    ContainerCollector(std::vector<std::string> root_patterns, std::vector<std::string> docker_roots)
        : patterns_(std::move(root_patterns)), docker_names_(std::move(docker_roots)) {}

    // Adds every container's series and the collector's own (containers seen, read errors).
    void collect(MetricSet& set);
    // What the last collect() read of each container, for the status page's history.
    const std::vector<ContainerReading>& readings() const { return readings_; }
    // The OOM kills in guests that the last collect() found recorded (mogu-vm containers that
    // ended and are not deleted yet).
    const std::vector<VmOomKill>& vm_oom_kills() const { return vm_oom_kills_; }

private:
    std::string device_name(uint64_t major, uint64_t minor);

    std::vector<std::string> patterns_;
    std::map<std::pair<uint64_t, uint64_t>, std::string> device_names_;
    // LXCFS refreshes load averages every 5 s and reading one costs a helper process: read them
    // no more often, and show the last reading in between.
    std::chrono::steady_clock::time_point last_load_read_{};
    std::map<std::string, runtime::lxcfs::LoadAverage> loads_;
    // Containers whose cgroup could not be read although they still run: warned about once.
    std::set<std::string> warned_;
    uint64_t read_errors_ = 0;
    RestartCounter restarts_;
    DockerNames docker_names_;
    std::vector<ContainerReading> readings_;
    std::vector<VmOomKill> vm_oom_kills_;
};

}  // namespace mogu::monitor
