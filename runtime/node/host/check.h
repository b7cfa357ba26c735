// `mogu check`: the node's preflight. Kernel config, then probes of the running kernel, the
// version, sysctls against the dense profile, storage, tools; one Report.
#pragma once

#include "runtime/node/finding.h"

#include <string>

namespace mogu::node {

struct CheckOptions {
    std::string kernel_config;       // --kernel-config: a config file to read instead of finding one
    std::string snapshotter_config = "/etc/mogu/snapshotter.toml";
    std::string criu_path;           // mogu's --criu
};

Report check_node(const CheckOptions& options);

}  // namespace mogu::node
