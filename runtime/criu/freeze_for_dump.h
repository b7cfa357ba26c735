// The container's cgroup frozen for criu at a moment when none of its processes is inside
// vfork(). A vfork parent sleeps until its child execs or exits; criu stops every task of the
// tree it dumps, the child too, so that parent never stops and criu gives up after its timeout
// ("Unseizable non-zombie ... state D"). Shells, glibc's system() and posix_spawn and Go's
// os/exec all vfork, so a busy container is caught there now and then: thawing for a moment
// lets the child exec.
#pragma once

#include "runtime/cgroups/cgroup.h"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mogu::runtime::criu {

// A process of `pids` whose parent (also in `pids`) shares its memory with it: a vfork child
// that has not exec'd yet, as {parent, child}. nullopt when there is none, or when the kernel
// cannot tell (no kcmp).
std::optional<std::pair<pid_t, pid_t>> vfork_in_flight(const std::vector<pid_t>& pids);

// Freezes `cgroup` (unless already frozen: a paused container is the caller's to thaw) and,
// while a vfork is in flight in it, thaws it briefly and freezes again, for up to `budget`.
// Owning: the destructor thaws what this froze. Throws naming the container and the two
// processes when the budget runs out, the cgroup thawed again.
class FrozenForDump {
public:
    FrozenForDump(cgroups::Cgroup& cgroup, const std::string& container_id,
                  std::chrono::milliseconds budget = std::chrono::milliseconds(3000));
    FrozenForDump(const FrozenForDump&) = delete;
    FrozenForDump& operator=(const FrozenForDump&) = delete;
    ~FrozenForDump();

    // Leaves the cgroup frozen: the container is paused, the caller resumes it.
    void keep() { froze_ = false; }

private:
    cgroups::Cgroup& cgroup_;
    bool froze_ = false;
};

}  // namespace mogu::runtime::criu
