// `mogu check`'s sysctl lines: the current values against a profile's rules.
#pragma once

#include "runtime/node/finding.h"
#include "runtime/node/sysctl_profile.h"

#include <map>
#include <string>

namespace mogu::node {

// `current`: key -> value for the keys that exist here; a missing key is reported as not
// checked (a WARN only for what the kernel should always have).
void evaluate_sysctls(const std::string& profile_name, const std::vector<Setting>& settings,
                      const std::map<std::string, std::string>& current, Report& report);

}  // namespace mogu::node
