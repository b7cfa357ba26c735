// What the sandbox verbs (sandbox.cpp, sandbox_create.cpp, sandbox_exec.cpp) share: reaching a
// container's keeper, ending processes that are not our children, small file helpers.
#pragma once

#include "kvm-launcher/host/agent_client.h"
#include "kvm-launcher/host/vm_state.h"

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace mogu::vm::detail {

inline constexpr int kCallTimeoutMs = 30000;   // calls that set things up in the guest
inline constexpr int kQuickTimeoutMs = 10000;  // calls that only look or signal

// The keeper named in vm.json still runs (same pid, same start time, not a zombie).
bool keeper_alive(const VmState& st);
// Its socket; "container <id> is not running" when the keeper is gone.
AgentClient connect_keeper(const VmDir& dir, const VmState& st);
// SIGKILL, then waits (up to 5 s) for it to be gone. A reused pid is left alone.
void kill_process(pid_t pid, uint64_t start_time);
void write_pid_file(const std::string& path, pid_t pid);
// Eight hex digits, for names that must not collide.
std::string random_suffix();

}  // namespace mogu::vm::detail
