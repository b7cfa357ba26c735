// `mogu top` and `mogu stats`: one look at the containers under some state roots, read from their
// cgroups (and LXCFS's load average, where they have that view). Two looks make rates (rows.h).
#pragma once

#include "runtime/lxcfs/lxcfs.h"
#include "runtime/state.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mogu::runtime::top {

struct ContainerSample {
    std::string root, id;
    Status status = Status::stopped;
    bool has_stats = false;  // false: no cgroup to read (stopped, or gone mid-look)
    uint64_t cpu_ns = 0;
    uint64_t memory_usage = 0, memory_limit = 0;  // limit 0: none
    uint64_t read_bytes = 0, write_bytes = 0;
    uint64_t pids = 0, pids_limit = 0;            // limit 0: none
    uint64_t oom_kills = 0;
    std::optional<lxcfs::LoadAverage> load;
};

struct Sample {
    uint64_t taken_ns = 0;  // CLOCK_MONOTONIC
    std::vector<ContainerSample> containers;
};

struct SampleOptions {
    std::vector<std::string> roots;
    std::vector<std::string> ids;  // only these; empty: every container
    bool read_load = true;         // LXCFS's load average costs a helper process per container
};

// Containers that vanish while being read (deleted, their state half written) are left out.
Sample take_sample(const SampleOptions& opts);

// The state roots `mogu top --all` looks in: mogu's own default and the mogu shim's, one per
// containerd namespace, that exist on this host.
std::vector<std::string> known_roots();

}  // namespace mogu::runtime::top
