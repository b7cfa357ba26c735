// The kernel build options mogu and its parts need, grouped by what uses them, and what a
// missing one means. Evaluated against a KernelConfig; the probes (probe/) then say whether the
// running kernel really offers each feature (a module may be missing from disk).
#pragma once

#include "runtime/node/finding.h"
#include "runtime/node/kernel_config.h"

#include <string>
#include <vector>

namespace mogu::node {

struct ConfigRequirement {
    std::string area;                  // the report's area
    std::string feature;               // "user namespaces"
    std::vector<std::string> any_of;   // enabled when one of these is y or m
    Level missing = Level::warn;       // FAIL when mogu cannot run containers without it
    std::string why;
};

const std::vector<ConfigRequirement>& config_requirements();

// One finding per requirement: OK (built in / module), or its `missing` level with a fix.
void evaluate_config(const KernelConfig& config, Report& report);

}  // namespace mogu::node
