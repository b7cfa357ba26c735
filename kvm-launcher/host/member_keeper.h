// The keeper of a pod's container that runs in its sandbox's VM: the host process that stands
// for the container's init (its pid is what --pid-file gets; it exits with the container's exit
// code), as a VM's keeper does, but with no QEMU of its own. It creates the container through the
// sandbox keeper's socket, then serves the container's verbs on its own keeper.sock by forwarding
// them there, copies the init's stdio and forwards signals sent to it. If the pod's VM stops
// first, it exits 255 and says why in exit.json.
#pragma once

#include "common/fd.h"
#include "kvm-launcher/host/stdio_pump.h"
#include "kvm-launcher/host/vm_state.h"
#include "kvm-launcher/proto/agent.pb.h"

#include <string>

namespace mogu::vm {

struct MemberPlan {
    std::string dir;             // the container's state directory
    std::string sandbox_socket;  // the sandbox keeper's keeper.sock
    agent::v1::CreateContainerRequest request;
    VmState state;               // completed by the keeper and written to vm.json
    HostStdio stdio;
    std::string console_socket;  // set when the process has a terminal
};

// Never returns. Writes "ok" or an error message to `report` (read_keeper_report), then closes it.
[[noreturn]] void run_member_keeper(MemberPlan& plan, UniqueFd report);

}  // namespace mogu::vm
