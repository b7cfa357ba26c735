#pragma once

#include <string>
#include <vector>

namespace mogu::runtime {

// The config.json `mogu spec` writes (pretty JSON). Rootless: a user namespace mapping the
// caller's ids, no cgroup limits, no network namespace, /sys bound read-only. A cgroup
// namespace only on a pure cgroup v2 host, as runc's.
std::string default_spec_json(bool rootless);
const std::vector<std::string>& default_masked_paths();
const std::vector<std::string>& default_readonly_paths();

}  // namespace mogu::runtime
