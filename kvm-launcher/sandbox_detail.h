// What the sandbox verbs (sandbox.cpp, sandbox_create.cpp, sandbox_exec.cpp, sandbox_pod.cpp)
// share: reaching a container's keeper, ending processes that are not our children, small file
// helpers, a pod's containers.
#pragma once

#include "kvm-launcher/host/agent_client.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/host/vm_state.h"
#include "kvm-launcher/sandbox.h"

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

// create for a pod's container: no boot, it joins the running VM of its sandbox.
void create_pod_member(const Context& ctx, const CreateOptions& opts, const PreparedBundle& b, const std::string& sandbox_id);
// delete's part for a pod's container: out of the guest (if the VM still runs) and its binds
// off the pod's share.
void remove_pod_member(const Context& ctx, const VmState& st);
// delete's part for a pod's sandbox: every bind left in its share (containers not deleted yet).
void remove_pod_share(const VmState& st);

}  // namespace mogu::vm::detail
