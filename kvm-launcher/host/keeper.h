// The keeper: the host process that stands for a VM container's init. `create` forks it; it
// boots QEMU as its child, creates the container in the guest, reports back, then serves the
// other verbs on <state>/keeper.sock (forwarding Agent calls over the one control channel),
// copies the init's stdio, forwards signals sent to it, and exits with the container's exit
// code once the VM is off. Its pid is what --pid-file gets, so a shim waits on it as on runc's
// init. If QEMU dies first, it exits 255 and says why in the log and in exit.json.
#pragma once

#include "common/fd.h"
#include "kvm-launcher/proto/agent.pb.h"
#include "kvm-launcher/host/qemu.h"
#include "kvm-launcher/host/rootfs_export.h"
#include "kvm-launcher/host/stdio_pump.h"
#include "kvm-launcher/host/vm_state.h"

#include <string>

namespace mogu::vm {

struct KeeperPlan {
    std::string dir;  // the state directory
    QemuConfig qemu;
    unsigned boot_timeout_ms = 30000;
    bool machine_fallback = false;  // boot q35 when QEMU has no microvm
    agent::v1::CreateContainerRequest request;
    VmState state;    // completed by the keeper (pids, kernel) and written to vm.json
    RootfsImage image;
    HostStdio stdio;
    std::string console_socket;  // set when the process has a terminal
};

// Never returns. Writes "ok" or an error message to `report`, then closes it.
[[noreturn]] void run_keeper(KeeperPlan& plan, UniqueFd report);

// The keeper's half of the report pipe, read by create: throws the keeper's error.
void read_keeper_report(int fd);


}  // namespace mogu::vm
