// Signalling the container's processes without ever hitting a stranger that reused a pid:
// the pid is pinned with a pidfd, then its start time is checked, then the signal goes through
// the pidfd.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/state.h"

#include <sys/types.h>

namespace mogu::runtime {

// false when the process is gone (or is not the one with that start time).
bool signal_process(pid_t pid, uint64_t start_time, int sig);
// Every process in the cgroup. For SIGKILL the cgroup is frozen first so nothing forks away.
void signal_all(cgroups::Cgroup& cg, int sig);
// Waits up to `timeout_ms` for the process to exit (zombie counts as exited). true if it did.
bool wait_for_exit(pid_t pid, uint64_t start_time, int timeout_ms);

}  // namespace mogu::runtime
