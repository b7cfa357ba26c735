// OCI hooks: each runs with its args and env, the container's state JSON on stdin, and its
// timeout; a failure names the hook kind, its index and path, and what it printed.
#pragma once

#include "common/oci/spec.h"

#include <string>
#include <vector>

namespace mogu::runtime {

// The state JSON hooks read on stdin.
std::string hook_state_json(const std::string& oci_version, const std::string& id, const char* status, pid_t pid,
                            const std::string& bundle, const std::map<std::string, std::string>& annotations);

// Runs the hooks in order; throws on the first failure. `kind` is the spec's name ("prestart").
void run_hooks(const std::vector<oci::Hook>& hooks, const char* kind, const std::string& state_json);
// The spec's rule for poststart and poststop hooks: every hook runs, and a failure is logged as
// a warning; the lifecycle goes on as if it had succeeded.
void run_hooks_warning_on_failure(const std::vector<oci::Hook>& hooks, const char* kind, const std::string& state_json);

}  // namespace mogu::runtime
