// `mogu tune`: applies a profile's sysctls (the sysctl.d file for boots, /proc/sys for now) and
// reverts them from the saved copy. Every file and value is checked for write access before
// anything changes; a failure half-way puts back what was already changed.
#pragma once

#include "runtime/node/tune_plan.h"

#include <string>

namespace mogu::node {

struct TunePaths {
    std::string conf = "/etc/sysctl.d/90-mogu.conf";
    std::string saved = "/var/lib/mogu/tune/saved.json";
};

// The plan for this host (current values and memory read from /proc). Unknown profile: Error.
TunePlan plan_tune_here(const std::string& profile_name);

// Applies the plan; returns what it did, one line per change.
std::string apply_tune(const TunePlan& plan, const TunePaths& paths);

// Restores the saved state and removes the saved copy; returns what it did. Error when there
// is no saved copy.
std::string revert_tune(const TunePaths& paths);

}  // namespace mogu::node
